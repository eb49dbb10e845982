package dev.peft4j.core.target;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which modules a method targets, in HF PEFT's three spellings of {@code target_modules} (and
 * {@code exclude_modules}):
 *
 * <ul>
 *   <li>a JSON list of names: a module matches an entry when its path equals it or ends with
 *       {@code "." + entry} ({@code query} matches {@code encoder.layer.0.attention.self.query});
 *   <li>a JSON string: a regular expression that must match the whole path (Python's
 *       {@code re.fullmatch});
 *   <li>the string {@code all-linear}: every linear layer except the output head.
 * </ul>
 *
 * @param kind which spelling
 * @param names the entries of a {@link Kind#NAMES} list, else empty
 * @param regex the expression of a {@link Kind#REGEX}, else {@code null}
 */
public record TargetModules(Kind kind, List<String> names, String regex) {

    /** The spelling that selects every linear layer but the head. */
    public static final String ALL_LINEAR = "all-linear";

    /** The three spellings. */
    public enum Kind {
        /** A list of module names or path suffixes. */
        NAMES,
        /** One regular expression over whole paths. */
        REGEX,
        /** {@code all-linear}. */
        ALL_LINEAR
    }

    /**
     * Validates the selector.
     *
     * @throws IllegalArgumentException for an empty list, a blank entry or an invalid regex
     */
    public TargetModules {
        names = names == null ? List.of() : List.copyOf(names);
        switch (kind) {
            case NAMES -> {
                if (names.isEmpty()) {
                    throw new IllegalArgumentException("target_modules must not be an empty list");
                }
                for (String name : names) {
                    if (name == null || name.isBlank()) {
                        throw new IllegalArgumentException("target_modules entries must be non-blank module names, got " + names);
                    }
                }
            }
            case REGEX -> {
                try {
                    Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("target_modules regex '" + regex + "' is invalid: " + e.getDescription());
                }
            }
            case ALL_LINEAR -> { }
        }
    }

    /**
     * @param names module names or path suffixes
     * @return a {@link Kind#NAMES} selector
     */
    public static TargetModules names(List<String> names) {
        return new TargetModules(Kind.NAMES, names, null);
    }

    /**
     * @param names module names or path suffixes
     * @return a {@link Kind#NAMES} selector
     */
    public static TargetModules names(String... names) {
        return names(List.of(names));
    }

    /**
     * @param regex an expression that must match whole module paths
     * @return a {@link Kind#REGEX} selector
     */
    public static TargetModules regex(String regex) {
        return new TargetModules(Kind.REGEX, List.of(), regex);
    }

    /** @return the {@code all-linear} selector */
    public static TargetModules allLinear() {
        return new TargetModules(Kind.ALL_LINEAR, List.of(), null);
    }

    /**
     * Reads HF PEFT's JSON value: a list of names, {@code "all-linear"}, or a regex string.
     *
     * @param json a {@code List<String>} or a {@code String}
     * @return the selector
     * @throws IllegalArgumentException for any other JSON type
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TargetModules fromJson(Object json) {
        if (json instanceof String text) {
            return ALL_LINEAR.equals(text) ? allLinear() : regex(text);
        }
        if (json instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return names(list.stream().map(String.class::cast).toList());
        }
        throw new IllegalArgumentException(
                "target_modules must be a list of module names, a regex string or \"all-linear\", got " + json);
    }

    /** @return the HF PEFT JSON value: a list, or a string */
    @JsonValue
    public Object toJson() {
        return switch (kind) {
            case NAMES -> names;
            case REGEX -> regex;
            case ALL_LINEAR -> ALL_LINEAR;
        };
    }

    /**
     * Whether {@code path} is selected by the names or regex spelling ({@code all-linear} is
     * resolved against module types by {@link TargetResolver}).
     *
     * @param path a dotted module path
     * @return true if it matches
     */
    boolean matchesPath(String path) {
        return switch (kind) {
            case NAMES -> names.stream().anyMatch(name -> matchesName(path, name));
            case REGEX -> Pattern.compile(regex).matcher(path).matches();
            case ALL_LINEAR -> false;
        };
    }

    /**
     * HF PEFT's name rule: the path equals the entry or ends with {@code "." + entry}.
     *
     * @param path a dotted module path
     * @param name an entry
     * @return whether it matches
     */
    static boolean matchesName(String path, String name) {
        return path.equals(name) || path.endsWith("." + name);
    }

    @Override
    public String toString() {
        return String.valueOf(toJson());
    }
}
