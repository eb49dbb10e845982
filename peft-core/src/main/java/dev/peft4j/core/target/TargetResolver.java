package dev.peft4j.core.target;

import ai.djl.nn.Block;
import dev.peft4j.core.model.Conv1D;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.ModuleTree;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.ModelShape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a {@link TargetSelection} against a model's module paths, with HF PEFT's matching
 * rules ({@code check_target_module_exists}): names match a path or its suffix, a regex matches
 * whole paths, {@code all-linear} takes every {@link Linear} but the output head,
 * {@code layers_to_transform} keeps modules inside the given {@code layer.N} indices, and
 * {@code exclude_modules} removes matches. Modules inside an {@link AdapterLayer} (an earlier
 * adapter's {@code base_layer}, {@code lora_A.<name>}, {@code modules_to_save.<name>}) are never
 * candidates; the adapter layer itself is, and counts as linear when it wraps a {@link Linear}
 * (HF PEFT skips its tuner layers' sub-modules the same way when it adds an adapter).
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
        return resolve(Catalog.of(model), selection, origin);
    }

    /**
     * The paths a method would adapt in a model described by its shape (memory accounting), with
     * the same rules as {@link #resolve(AdaptableModel, TargetSelection, ConfigOrigin)}; a module is
     * linear when the shape lists it among {@link ModelShape#linears()}.
     *
     * @param shape the model's shape
     * @param selection what the config selects; {@code target_modules == null} means the family's defaults
     * @param origin as for a live model
     * @return the matching paths in model order, never empty
     * @throws IllegalArgumentException as for a live model
     */
    public static List<String> resolve(ModelShape shape, TargetSelection selection, ConfigOrigin origin) {
        return resolve(Catalog.of(shape), selection, origin);
    }

    private static List<String> resolve(Catalog catalog, TargetSelection selection, ConfigOrigin origin) {
        TargetModules targets = selection.targetModules() != null
                ? selection.targetModules()
                : TargetModules.names(catalog.defaultTargetModules());
        for (int layer : selection.layersToTransform()) {
            if (layer >= catalog.numLayers()) {
                throw new IllegalArgumentException("layers_to_transform entry " + layer + " is out of range; the model has layers 0.."
                        + (catalog.numLayers() - 1));
            }
        }
        requireEntriesMatch("target_modules", targets, catalog, origin);
        List<String> selected = new ArrayList<>();
        for (String path : catalog.paths()) {
            if (selects(targets, path, catalog)
                    && inLayers(path, selection.layersToTransform())
                    && !excluded(selection.excludeModules(), path, catalog)) {
                selected.add(path);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("target_modules " + targets + " selects no module after layers_to_transform "
                    + selection.layersToTransform() + " and exclude_modules " + selection.excludeModules()
                    + "; closest: " + closestTo(targets, catalog));
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
        return resolveModulesToSave(Catalog.of(model), entries, origin);
    }

    /**
     * Resolves {@code modules_to_save} entries against a model's shape, as
     * {@link #resolveModulesToSave(AdaptableModel, List, ConfigOrigin)}.
     *
     * @param shape the model's shape
     * @param entries module names or path suffixes
     * @param origin how strictly entries are checked
     * @return the matching paths in model order
     * @throws IllegalArgumentException naming each unmatched entry with the closest paths
     */
    public static List<String> resolveModulesToSave(ModelShape shape, List<String> entries, ConfigOrigin origin) {
        return resolveModulesToSave(Catalog.of(shape), entries, origin);
    }

    private static List<String> resolveModulesToSave(Catalog catalog, List<String> entries, ConfigOrigin origin) {
        if (entries.isEmpty()) {
            return List.of();
        }
        TargetModules names = TargetModules.names(entries);
        requireEntriesMatch("modules_to_save", names, catalog, origin);
        List<String> selected = catalog.paths().stream().filter(names::matchesPath).toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("modules_to_save " + entries + " matches no module; closest: "
                    + closestTo(names, catalog));
        }
        return selected;
    }

    private static void requireEntriesMatch(String key, TargetModules targets, Catalog catalog, ConfigOrigin origin) {
        if (origin != ConfigOrigin.USER) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (targets.kind() == TargetModules.Kind.NAMES) {
            for (String name : targets.names()) {
                boolean matched = catalog.paths().stream().anyMatch(path -> TargetModules.matchesName(path, name));
                if (!matched) {
                    problems.add(key + " entry '" + name + "' matches no module; closest: " + catalog.closest(name, 3));
                }
            }
        } else if (targets.kind() == TargetModules.Kind.REGEX && catalog.paths().stream().noneMatch(targets::matchesPath)) {
            problems.add(key + " regex '" + targets.regex() + "' matches no module; closest: " + catalog.closest(targets.regex(), 3));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static List<String> closestTo(TargetModules targets, Catalog catalog) {
        String probe = switch (targets.kind()) {
            case NAMES -> targets.names().getFirst();
            case REGEX -> targets.regex();
            case ALL_LINEAR -> "dense";
        };
        return catalog.closest(probe, 3);
    }

    private static boolean selects(TargetModules targets, String path, Catalog catalog) {
        if (targets.kind() == TargetModules.Kind.ALL_LINEAR) {
            return catalog.isLinear().test(path) && !isOutputHead(path);
        }
        return targets.matchesPath(path);
    }

    private static boolean excluded(TargetModules exclude, String path, Catalog catalog) {
        return exclude != null && selects(exclude, path, catalog);
    }

    /**
     * Whether a module path is an output head that {@code all-linear} leaves alone and quantisation
     * keeps in the compute dtype ({@link #OUTPUT_HEADS}, or a module inside one).
     *
     * @param path a dotted module path
     * @return whether it is an output head
     */
    public static boolean isOutputHead(String path) {
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

    /** Module paths in model order (root excluded), which of them are linear, and suggestions. */
    private record Catalog(List<String> paths, Predicate<String> isLinear, List<String> defaultTargetModules, int numLayers,
            Function<String, List<String>> suggest) {

        static Catalog of(AdaptableModel model) {
            Map<String, Block> modules = model.modules();
            ModuleTree tree = new ModuleTree(modules.get(""));
            List<String> wrappers = modules.entrySet().stream().filter(entry -> entry.getValue() instanceof AdapterLayer)
                    .map(entry -> entry.getKey() + ".").toList();
            List<String> paths = modules.keySet().stream()
                    .filter(path -> !path.isEmpty() && wrappers.stream().noneMatch(path::startsWith)).toList();
            return new Catalog(paths, path -> isLinear(modules.get(path)), model.defaultTargetModules(), model.numLayers(),
                    wanted -> tree.closest(wanted, 3));
        }

        /**
         * A Linear or GPT-2's Conv1D (HF PEFT's {@code all-linear} takes {@code nn.Linear} and
         * {@code Conv1D}), or an adapter layer (a LoRA layer of an earlier adapter) that wraps one.
         */
        private static boolean isLinear(Block block) {
            Block base = block instanceof AdapterLayer layer ? layer.baseLayer() : block;
            return base instanceof Linear || base instanceof Conv1D;
        }

        static Catalog of(ModelShape shape) {
            List<String> paths = shape.modulePaths();
            Set<String> linear = new HashSet<>();
            shape.linears().forEach(l -> linear.add(l.path()));
            return new Catalog(paths, linear::contains, shape.defaultTargetModules(), shape.numLayers(),
                    wanted -> ModuleTree.closest(paths, wanted, 3));
        }

        List<String> closest(String wanted, int limit) {
            return suggest.apply(wanted).stream().limit(limit).toList();
        }
    }
}
