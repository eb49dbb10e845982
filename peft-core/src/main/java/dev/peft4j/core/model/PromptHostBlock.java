package dev.peft4j.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.peft4j.core.spi.AdapterSwitch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link PromptHost} bookkeeping shared by the base transformers: the {@code prompt_encoder}
 * {@link ModuleDict} child (created on the first attach) and the run of the active adapters'
 * encoders at the start of a forward pass.
 */
abstract class PromptHostBlock extends ModuleBlock implements PromptHost {

    private AdapterSwitch adapterSwitch;

    @Override
    public final <B extends Block & PromptEncoder> void attachPromptEncoder(String adapterName, B encoder,
            AdapterSwitch adapterSwitch) {
        ModuleDict dict;
        if (childNames().contains(PROMPT_ENCODER)) {
            dict = (ModuleDict) child(PROMPT_ENCODER);
            if (dict.contains(adapterName)) {
                throw new IllegalArgumentException("a prompt encoder is already attached for adapter '" + adapterName + "' ("
                        + PROMPT_ENCODER + "." + adapterName + ")");
            }
        } else {
            dict = addChild(PROMPT_ENCODER, new ModuleDict());
        }
        dict.put(adapterName, encoder);
        this.adapterSwitch = adapterSwitch;
    }

    @Override
    public final Block detachPromptEncoder(String adapterName) {
        if (!childNames().contains(PROMPT_ENCODER) || !((ModuleDict) child(PROMPT_ENCODER)).contains(adapterName)) {
            return null;
        }
        return ((ModuleDict) child(PROMPT_ENCODER)).remove(adapterName);
    }

    @Override
    public final Map<String, PromptEncoder> promptEncoders() {
        Map<String, PromptEncoder> out = new LinkedHashMap<>();
        if (childNames().contains(PROMPT_ENCODER) && child(PROMPT_ENCODER) instanceof ModuleBlock dict) {
            for (String name : dict.childNames()) {
                if (dict.child(name) instanceof PromptEncoder encoder) {
                    out.put(PROMPT_ENCODER + "." + name, encoder);
                }
            }
        }
        return out;
    }

    /**
     * Runs the attached prompt encoders of the active adapters and adds their params to a copy of
     * {@code params}.
     *
     * @return {@code params} itself when no encoder is attached
     */
    protected final PairList<String, Object> withPromptInputs(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        Map<String, PromptEncoder> encoders = promptEncoders();
        if (encoders.isEmpty()) {
            return params;
        }
        PairList<String, Object> merged = new PairList<>();
        if (params != null) {
            for (Pair<String, Object> entry : params) {
                merged.add(entry.getKey(), entry.getValue());
            }
        }
        for (Map.Entry<String, PromptEncoder> attached : encoders.entrySet()) {
            String adapterName = attached.getKey().substring(PROMPT_ENCODER.length() + 1);
            if (adapterSwitch != null && !adapterSwitch.isActive(adapterName)) {
                continue;
            }
            PairList<String, Object> added = attached.getValue().encode(store, inputs, training, params);
            if (added != null) {
                for (Pair<String, Object> entry : added) {
                    merged.add(entry.getKey(), entry.getValue());
                }
            }
        }
        return merged;
    }
}
