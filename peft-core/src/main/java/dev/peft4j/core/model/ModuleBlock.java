package dev.peft4j.core.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBaseBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A DJL block whose children and parameters carry HF module names and whose children can be
 * replaced after construction (DJL's own blocks cannot), so a PEFT method can wrap
 * {@code encoder.layer.3.attention.self.query} in place.
 *
 * <p>Names follow PyTorch's {@code state_dict}: {@link #getParameters()} joins child and
 * parameter names with {@code "."}, e.g. {@code encoder.layer.0.attention.self.query.weight}.
 * Parameter shapes are known at construction, so {@link #initialize} needs no input shapes.
 */
public abstract class ModuleBlock extends AbstractBaseBlock {

    private final Map<String, Block> children = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    /**
     * Adds a named child block.
     *
     * @param name the HF module name, unique in this block, without {@code "."}
     * @param block the child
     * @param <B> the child's type
     * @return {@code block}
     * @throws IllegalArgumentException if the name is taken or contains {@code "."}
     */
    protected final <B extends Block> B addChild(String name, B block) {
        requireSimpleName(name);
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalArgumentException("module name '" + name + "' is already used in " + getClass().getSimpleName());
        }
        children.put(name, block);
        return block;
    }

    /**
     * Adds a named parameter of known shape. Its initial values come from {@code type}'s default
     * initializer unless one is set before {@link #initialize}.
     *
     * @param name the HF parameter name ({@code weight}, {@code bias})
     * @param type the parameter's role, which picks the default initializer
     * @param shape the shape
     * @return the parameter
     */
    protected final Parameter addParameter(String name, Parameter.Type type, Shape shape) {
        requireSimpleName(name);
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalArgumentException("parameter name '" + name + "' is already used in " + getClass().getSimpleName());
        }
        Parameter parameter = Parameter.builder().setName(name).setType(type).optShape(shape).build();
        parameters.put(name, parameter);
        return parameter;
    }

    /**
     * The child named {@code name}, as last set (replacements included).
     *
     * @param name the child's name
     * @return the child block
     * @throws IllegalArgumentException if there is no such child, listing the children
     */
    public final Block child(String name) {
        Block block = children.get(name);
        if (block == null) {
            throw new IllegalArgumentException("no module '" + name + "' in " + getClass().getSimpleName()
                    + "; children: " + children.keySet());
        }
        return block;
    }

    /** @return the children's names, in insertion order */
    public final Set<String> childNames() {
        return Collections.unmodifiableSet(children.keySet());
    }

    /**
     * Replaces a child in place, keeping its position.
     *
     * @param name the child's name
     * @param replacement the new block
     * @return the replaced block
     * @throws IllegalArgumentException if there is no such child
     */
    public final Block replaceChild(String name, Block replacement) {
        Block old = child(name);
        children.put(name, replacement);
        return old;
    }

    /**
     * Removes a child (e.g. a network that a loaded checkpoint makes unnecessary).
     *
     * @param name the child's name
     * @return the removed block
     * @throws IllegalArgumentException if there is no such child
     */
    protected final Block removeChild(String name) {
        Block old = child(name);
        children.remove(name);
        return old;
    }

    /**
     * Removes a direct parameter (an adapter's DoRA magnitude when the adapter is deleted).
     *
     * @param name the parameter's name
     * @return the removed parameter
     * @throws IllegalArgumentException if there is none
     */
    protected final Parameter removeParameter(String name) {
        Parameter parameter = parameter(name);
        parameters.remove(name);
        return parameter;
    }

    /**
     * A direct parameter by name.
     *
     * @param name the parameter's name
     * @return the parameter
     * @throws IllegalArgumentException if there is none
     */
    public final Parameter parameter(String name) {
        Parameter parameter = parameters.get(name);
        if (parameter == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' in " + getClass().getSimpleName()
                    + "; parameters: " + parameters.keySet());
        }
        return parameter;
    }

    @Override
    public BlockList getChildren() {
        BlockList list = new BlockList(children.size());
        children.forEach(list::add);
        return list;
    }

    @Override
    public ParameterList getDirectParameters() {
        return new ParameterList(new LinkedHashMap<>(parameters));
    }

    /**
     * All parameters of this block and its descendants, named by their dotted path
     * ({@code attention.self.query.weight}).
     */
    @Override
    public ParameterList getParameters() {
        ParameterList all = getDirectParameters();
        for (Pair<String, Block> child : getChildren()) {
            for (Pair<String, Parameter> parameter : child.getValue().getParameters()) {
                all.add(child.getKey() + "." + parameter.getKey(), parameter.getValue());
            }
        }
        return all;
    }

    /**
     * Allocates every uninitialized parameter of this block and its descendants with its
     * initializer. Shapes are fixed at construction, so {@code inputShapes} is ignored.
     */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Parameter parameter : getDirectParameters().values()) {
            if (!parameter.isInitialized()) {
                parameter.initialize(manager, dataType);
            }
        }
        for (Block child : children.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public boolean isInitialized() {
        return getParameters().values().stream().allMatch(Parameter::isInitialized);
    }

    private static void requireSimpleName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module and parameter names must be non-empty and contain no '.', got '" + name + "'");
        }
    }
}
