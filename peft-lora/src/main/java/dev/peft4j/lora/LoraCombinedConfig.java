package dev.peft4j.lora;

import dev.peft4j.core.target.TargetModules;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The config of a combined LoRA adapter, as HF PEFT's {@code add_weighted_adapter} makes it: the
 * first source's config with {@code r} and {@code lora_alpha} set to the new rank (scaling 1: every
 * source's scaling is already in the factors), {@code rank_pattern} / {@code alpha_pattern} emptied,
 * {@code use_rslora} off (HF PEFT PR #3449: an inherited rsLoRA flag would scale the result by
 * {@code sqrt(r)}) and {@code target_modules} covering the union of the sources' modules.
 */
final class LoraCombinedConfig {

    private LoraCombinedConfig() {}

    /**
     * {@code target_modules}: the sources' own selection when they all select alike; HF's union when
     * all are name lists (set union) or all are regexes ({@code (r1)|(r2)}) and none narrows them
     * with {@code layers_to_transform} or {@code exclude_modules}; otherwise (architecture defaults,
     * {@code all-linear}, mixed kinds, narrowed selections, which HF refuses or may combine
     * wrongly by keeping only the first source's narrowing) the exact list of module paths the
     * sources adapt, so the result adapts exactly those modules.
     *
     * @param sources the sources, first the template
     * @param rank the new rank
     * @param modulePaths every module some source adapts, in order
     * @return the new config
     */
    static LoraConfig of(List<LoraWeightedSource> sources, int rank, List<String> modulePaths) {
        LoraConfig first = sources.getFirst().config();
        LoraConfigBuilder builder = first.toBuilder()
                .r(rank)
                .loraAlpha(rank)
                .useRslora(false)
                .rankPattern(Map.of())
                .alphaPattern(Map.of())
                .modulesToSave(modulesToSave(sources));
        if (sources.stream().allMatch(source -> sameSelection(source.config(), first))) {
            return builder.build();
        }
        boolean plain = sources.stream().allMatch(source -> source.config().layersToTransform() == null
                && source.config().excludeModules() == null && source.config().targetModules() != null);
        Set<TargetModules.Kind> kinds = new LinkedHashSet<>();
        sources.forEach(source -> kinds.add(source.config().targetModules() == null ? null : source.config().targetModules().kind()));
        TargetModules targets;
        if (plain && kinds.equals(Set.of(TargetModules.Kind.NAMES))) {
            Set<String> names = new LinkedHashSet<>();
            sources.forEach(source -> names.addAll(source.config().targetModules().names()));
            targets = TargetModules.names(new ArrayList<>(names));
        } else if (plain && kinds.equals(Set.of(TargetModules.Kind.REGEX))) {
            StringBuilder regex = new StringBuilder();
            sources.forEach(source -> regex.append(regex.isEmpty() ? "" : "|").append('(')
                    .append(source.config().targetModules().regex()).append(')'));
            targets = TargetModules.regex(regex.toString());
        } else {
            targets = TargetModules.names(modulePaths);
        }
        return builder.targetModules(targets).layersToTransform(null).excludeModules(null).build();
    }

    private static boolean sameSelection(LoraConfig config, LoraConfig first) {
        return Objects.equals(config.targetModules(), first.targetModules())
                && Objects.equals(config.excludeModules(), first.excludeModules())
                && Objects.equals(config.layersToTransform(), first.layersToTransform());
    }

    /** Every source's {@code modules_to_save} entries, first appearance first. */
    private static List<String> modulesToSave(List<LoraWeightedSource> sources) {
        Set<String> entries = new LinkedHashSet<>();
        sources.forEach(source -> entries.addAll(source.config().modulesToSave()));
        return List.copyOf(entries);
    }
}
