package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Rows of an embedding table by token id. */
public final class Embedding {
    private Embedding() {}

    /** {@code table} [vocab, d] at {@code ids} [batch, seq]: [batch, seq, d]. */
    public static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
