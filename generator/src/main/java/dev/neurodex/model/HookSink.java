package dev.neurodex.model;

import ai.djl.ndarray.NDArray;

/** Receives the tensors of a {@link HookPlan} as a forward pass computes them; they are freed once it returns. */
@FunctionalInterface
public interface HookSink {
    /** @param tensor [batch, seq, width] of the framed windows (padding included) */
    void accept(HookPoint point, int layer, NDArray tensor);
}
