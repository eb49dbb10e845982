package dev.peft4j.core.target;

import ai.djl.nn.Block;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleTree;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.ConfigOrigin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a {@link TargetSelection} against a model's module paths, with HF PEFT's matching
 * rules ({@code check_target_module_exists}): names match a path or its suffix, a regex matches
 * whole paths, {@code all-linear} takes every {@link Linear} but the output head,
 * {@code layers_to_transform} keeps modules inside the given {@code layer.N} indices, and
 * {@code exclude_modules} removes matches.
 */
public final class TargetResolver {

    /** Output heads that {@code all-linear} leaves alone, as HF PEFT does with its output layer. */
    public static final Set<String> OUTPUT_HEADS = Set.of("classifier", "score", "lm_head");

    private static final Pattern LAYER_INDEX = Pattern.compile("(?:^|\\.)(?:layer|layers|h|block|blocks)\\.(\\d+)(?:\\.|$)");

    private TargetResolver() {}

    /**
     * The paths a method should adapt.
     *
     * @param model the model
     * @param selection what the config selects; {@code target_modules == null} means the
     *     architecture's defaults
     * @param origin {@link ConfigOrigin#USER}: every entry of a names list must match a module;
     *     {@link ConfigOrigin#CHECKPOINT}: one match overall is enough
     * @return the matching paths in model order, never empty
     * @throws IllegalArgumentException naming each unmatched entry with the closest existing paths,
     *     a layer index beyond the model, or a selection that leaves nothing
     */
    public static List<String> resolve(AdaptableModel model, TargetSelection selection, ConfigOrigin origin) {
        TargetModules targets = selection.targetModules() != null
                ? selection.targetModules()
                : TargetModules.names(model.defaultTargetModules());
        for (int layer : selection.layersToTransform()) {
            if (layer >= model.numLayers()) {
                throw new IllegalArgumentException("layers_to_transform entry " + layer + " is out of range; the model has layers 0.."
                        + (model.numLayers() - 1));
            }
        }
        Map<String, Block> modules = model.modules();
        requireEntriesMatch("target_modules", targets, modules, origin, new ModuleTree(model.modules().get("")));
        List<String> selected = new ArrayList<>();
        for (Map.Entry<String, Block> entry : modules.entrySet()) {
            String path = entry.getKey();
            if (!path.isEmpty()
                    && selects(targets, path, entry.getValue())
                    && inLayers(path, selection.layersToTransform())
                    && !excluded(selection.excludeModules(), path, entry.getValue())) {
                selected.add(path);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + targets + " selects no module after layers_to_transform "
                    + selection.layersToTransform() + " and exclude_modules " + selection.excludeModules()
                    + "; closest: " + closestTo(targets, new ModuleTree(modules.get(""))));
        }
        return selected;
    }

    /**
     * Resolves {@code modules_to_save} entries with HF's name rule.
     *
     * @param model the model
     * @param entries module names or path suffixes
     * @param origin {@link ConfigOrigin#USER}: every entry must match; otherwise one match overall
     * @return the matching paths in model order (possibly empty when {@code entries} is)
     * @throws IllegalArgumentException naming each unmatched entry with the closest paths
     */
    public static List<String> resolveModulesToSave(AdaptableModel model, List<String> entries, ConfigOrigin origin) {
        if (entries.isEmpty()) {
            return List.of();
        }
        TargetModules names = TargetModules.names(entries);
        Map<String, Block> modules = model.modules();
        requireEntriesMatch("modules_to_save", names, modules, origin, new ModuleTree(modules.get("")));
        List<String> selected = modules.keySet().stream().filter(path -> !path.isEmpty() && names.matchesPath(path)).toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("modules_to_save " + entries + " matches no module; closest: "
                    + closestTo(names, new ModuleTree(modules.get(""))));
        }
        return selected;
    }

    private static void requireEntriesMatch(String key, TargetModules targets, Map<String, Block> modules, ConfigOrigin origin, ModuleTree tree) {
        if (origin != ConfigOrigin.USER) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (targets.kind() == TargetModules.Kind.NAMES) {
            for (String name : targets.names()) {
                boolean matched = modules.keySet().stream().anyMatch(path -> !path.isEmpty() && TargetModules.matchesName(path, name));
                if (!matched) {
                    problems.add(key + " entry '" + name + "' matches no module; closest: " + tree.closest(name, 3));
                }
            }
        } else if (targets.kind() == TargetModules.Kind.REGEX
                && modules.keySet().stream().noneMatch(path -> !path.isEmpty() && targets.matchesPath(path))) {
            problems.add(key + " regex '" + targets.regex() + "' matches no module; closest: " + tree.closest(targets.regex(), 3));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static List<String> closestTo(TargetModules targets, ModuleTree tree) {
        String probe = switch (targets.kind()) {
            case NAMES -> targets.names().getFirst();
            case REGEX -> targets.regex();
            case ALL_LINEAR -> "dense";
        };
        return tree.closest(probe, 3);
    }

    private static boolean selects(TargetModules targets, String path, Block block) {
        if (targets.kind() == TargetModules.Kind.ALL_LINEAR) {
            return block instanceof Linear && !isOutputHead(path);
        }
        return targets.matchesPath(path);
    }

    private static boolean excluded(TargetModules exclude, String path, Block block) {
        return exclude != null && selects(exclude, path, block);
    }

    private static boolean isOutputHead(String path) {
        String last = path.substring(path.lastIndexOf('.') + 1);
        return OUTPUT_HEADS.contains(last) || OUTPUT_HEADS.stream().anyMatch(head -> path.startsWith(head + "."));
    }

    /**
     * The transformer layer a path lies in ({@code encoder.layer.3.attention -> 3}).
     *
     * @param path a dotted module path
     * @return the layer index, or -1 outside the layers
     */
    public static int layerIndex(String path) {
        Matcher matcher = LAYER_INDEX.matcher(path);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static boolean inLayers(String path, List<Integer> layers) {
        return layers.isEmpty() || layers.contains(layerIndex(path));
    }

    /**
     * Groups resolved paths by layer index (-1 for paths outside the layers), preserving order.
     *
     * @param paths resolved paths
     * @return paths per layer
     */
    public static Map<Integer, List<String>> byLayer(List<String> paths) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        for (String path : paths) {
            out.computeIfAbsent(layerIndex(path), k -> new ArrayList<>()).add(path);
        }
        return out;
    }
}
