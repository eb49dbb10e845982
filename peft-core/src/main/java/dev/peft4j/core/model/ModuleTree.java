package dev.peft4j.core.model;

import ai.djl.nn.Block;
import ai.djl.util.Pair;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Addresses the blocks of a model by dotted HF module path ({@code encoder.layer.3.attention}):
 * walks the tree, finds and replaces blocks, and suggests the closest paths for a bad one.
 */
public final class ModuleTree {

    private final Block root;

    /** @param root the model's root block; its path is the empty string */
    public ModuleTree(Block root) {
        this.root = root;
    }

    /**
     * Every block by path in pre-order (a parent before its children), the root as {@code ""}.
     *
     * @return an ordered, unmodifiable map
     */
    public Map<String, Block> modules() {
        Map<String, Block> out = new LinkedHashMap<>();
        collect("", root, out);
        return java.util.Collections.unmodifiableMap(out);
    }

    private static void collect(String path, Block block, Map<String, Block> out) {
        out.put(path, block);
        for (Pair<String, Block> child : block.getChildren()) {
            collect(path.isEmpty() ? child.getKey() : path + "." + child.getKey(), child.getValue(), out);
        }
    }

    /**
     * @param path a dotted module path
     * @return the block at {@code path}
     * @throws IllegalArgumentException if none has that path, listing the closest paths
     */
    public Block find(String path) {
        Block block = modules().get(path);
        if (block == null) {
            throw new IllegalArgumentException("no module '" + path + "'; closest: " + closest(path, 3));
        }
        return block;
    }

    /**
     * Replaces the block at {@code path} in its parent.
     *
     * @param path a dotted module path other than the root
     * @param replacement the new block
     * @return the replaced block
     * @throws IllegalArgumentException if the path is the root, does not exist, or its parent's
     *     children cannot be replaced
     */
    public Block replace(String path, Block replacement) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the root module cannot be replaced");
        }
        find(path);
        int dot = path.lastIndexOf('.');
        Block parent = dot < 0 ? root : find(path.substring(0, dot));
        if (!(parent instanceof ModuleBlock moduleBlock)) {
            throw new IllegalArgumentException("module '" + path + "' sits in a " + parent.getClass().getSimpleName()
                    + ", whose children cannot be replaced");
        }
        return moduleBlock.replaceChild(path.substring(dot + 1), replacement);
    }

    /**
     * The existing paths closest to {@code wanted} by edit distance (of the whole path and of
     * its last segments), best first.
     *
     * @param wanted a path or module name that matched nothing
     * @param limit how many to return
     * @return up to {@code limit} existing non-root paths
     */
    public List<String> closest(String wanted, int limit) {
        return closest(modules().keySet(), wanted, limit);
    }

    /**
     * The paths of {@code paths} closest to {@code wanted}, as {@link #closest(String, int)}.
     *
     * @param paths candidate module paths
     * @param wanted a path or module name that matched nothing
     * @param limit how many to return
     * @return up to {@code limit} non-root paths, best first
     */
    public static List<String> closest(java.util.Collection<String> paths, String wanted, int limit) {
        return paths.stream()
                .filter(path -> !path.isEmpty())
                .sorted(Comparator.comparingInt((String path) -> distance(wanted, path)).thenComparing(path -> path))
                .limit(limit)
                .toList();
    }

    /** Edit distance between {@code wanted} and the best-matching suffix of {@code path}. */
    private static int distance(String wanted, String path) {
        int best = levenshtein(wanted, path);
        int dot = path.length();
        while ((dot = path.lastIndexOf('.', dot - 1)) >= 0) {
            best = Math.min(best, levenshtein(wanted, path.substring(dot + 1)));
        }
        return best;
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
