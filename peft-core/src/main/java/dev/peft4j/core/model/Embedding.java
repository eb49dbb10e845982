package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A lookup table, PyTorch's {@code nn.Embedding}: {@code weight (num, dim)}. Input: int64 ids of
 * any shape {@code S}; output {@code (S..., dim)}.
 */
public final class Embedding extends ModuleBlock implements CopyableBlock {

    private final int numEmbeddings;
    private final int dim;
    private final Parameter weight;

    /**
     * @param numEmbeddings number of rows (vocabulary or positions)
     * @param dim width of each row
     */
    public Embedding(int numEmbeddings, int dim) {
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.weight = addParameter("weight", Parameter.Type.WEIGHT, new Shape(numEmbeddings, dim));
    }

    /** @return the number of rows */
    public int numEmbeddings() {
        return numEmbeddings;
    }

    /** @return the width of each row */
    public int dim() {
        return dim;
    }

    /** @return the {@code (num, dim)} table */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, ids.getDevice(), training);
        return new NDList(ai.djl.nn.core.Embedding.embedding(ids, w, SparseFormat.DENSE));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(dim)};
    }

    @Override
    public Block copy() {
        Embedding copy = new Embedding(numEmbeddings, dim);
        Parameters.copyValues(this, copy);
        return copy;
    }
}
