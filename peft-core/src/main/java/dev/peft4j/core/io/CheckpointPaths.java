package dev.peft4j.core.io;

import dev.peft4j.core.spi.RowAdapters;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Names and relative paths that come from configs or callers and become folders of a checkpoint:
 * none of them may leave the output folder. HF PEFT saves a non-default adapter into a sub-folder
 * named after it ({@code save_pretrained(dir)} writes {@code dir/<adapter_name>/}); peft4j also
 * uses the adapter name as a module path segment ({@code lora_A.<adapter_name>}), so names are
 * limited to letters, digits, {@code _} and {@code -}.
 */
public final class CheckpointPaths {

    private static final Pattern ADAPTER_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    /**
     * Module and parameter names that adapters and wrappers put into parameter paths; an adapter of
     * that name would make a path such as {@code query.lora_A.weight.weight} ambiguous (which segment
     * is the adapter's?) and its checkpoint key wrong.
     */
    public static final List<String> RESERVED_ADAPTER_NAMES = List.of("weight", "bias", "base_layer", "lora_A", "lora_B",
            "lora_dropout", "lora_magnitude_vector", "lora_embedding_A", "lora_embedding_B", "modules_to_save",
            "original_module", "prompt_encoder", "adapters", "adapter_down", "adapter_up", "embedding", "transform");

    private CheckpointPaths() {}

    /**
     * @param adapterName an adapter's name
     * @return the name
     * @throws IllegalArgumentException e.g. {@code adapter name '../x' is not allowed; use letters,
     *     digits, '_' and '-' (it names a sub-folder of the output folder and a module path segment)}
     *     (also for an empty name and one with {@code '.'}), or, for a name of
     *     {@link #RESERVED_ADAPTER_NAMES}, {@code adapter name 'lora_A' is reserved: it is a module or
     *     parameter name segment (weight, bias, base_layer, lora_A, ...) and would make parameter paths ambiguous}
     */
    public static String requireAdapterName(String adapterName) {
        if (adapterName == null || !ADAPTER_NAME.matcher(adapterName).matches()) {
            throw new IllegalArgumentException("adapter name " + (adapterName == null ? "null" : "'" + adapterName + "'")
                    + " is not allowed; use letters, digits, '_' and '-' (it names a sub-folder of the output folder"
                    + " and a module path segment)");
        }
        if (RESERVED_ADAPTER_NAMES.contains(adapterName)) {
            throw new IllegalArgumentException("adapter name '" + adapterName + "' is reserved: it is a module or parameter"
                    + " name segment (" + String.join(", ", RESERVED_ADAPTER_NAMES) + ") and would make parameter paths"
                    + " ambiguous; choose another name");
        }
        if (RowAdapters.BASE.equals(adapterName)) {
            throw new IllegalArgumentException("adapter name '__base__' is reserved: in mixed-adapter batches it marks"
                    + " the rows that use the base model; choose another name");
        }
        return adapterName;
    }

    /**
     * Resolves a relative path from a config inside {@code root}.
     *
     * @param root the output or checkpoint folder
     * @param relative a relative path, e.g. {@code sentiment} or {@code adapters/sentiment}
     * @param what what the path is, for the message ({@code "subfolder"})
     * @return {@code root/relative}, normalized
     * @throws IllegalArgumentException for an absolute path, a {@code ..} segment or an invalid path:
     *     {@code subfolder '../x' must stay inside /out: absolute paths and '..' are not allowed}
     */
    public static Path resolveInside(Path root, String relative, String what) {
        Path path;
        try {
            path = Path.of(relative == null ? "" : relative);
        } catch (InvalidPathException e) {
            throw escapes(root, relative, what);
        }
        if (relative == null || relative.isEmpty() || path.isAbsolute() || relative.startsWith("/")
                || relative.startsWith("\\")) {
            throw escapes(root, relative, what);
        }
        for (Path segment : path) {
            if (segment.toString().equals("..") || segment.toString().contains("\\")) {
                throw escapes(root, relative, what);
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(path).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw escapes(root, relative, what);
        }
        return resolved;
    }

    private static IllegalArgumentException escapes(Path root, String relative, String what) {
        return new IllegalArgumentException(what + " " + (relative == null ? "null" : "'" + relative + "'")
                + " must stay inside " + root + ": absolute paths and '..' are not allowed");
    }
}
