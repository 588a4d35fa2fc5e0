package dev.neurodex.model;

import ai.djl.ndarray.NDArray;

/**
 * The Java array a model copies each layer's hooked activations into: one array, reused layer after layer and
 * batch after batch. Allocating hundreds of MB anew for each batch kept the garbage collector marking
 * concurrently with the forward pass. One per model; a model runs one batch at a time.
 */
public final class HookBuffer {
    private float[] values;

    /** {@code tensor} [batch, seq, dMlp] as layer {@code layer}'s activations, valid until the next call. */
    public Activations take(NDArray tensor, int layer, int batch, int seq, int contentOffset, int dMlp) {
        values = Activations.copy(tensor, values);
        return new Activations(layer, batch, seq, contentOffset, dMlp, values);
    }

    /** The same from a buffer (ONNX Runtime's outputs). */
    public Activations take(java.nio.FloatBuffer buffer, int layer, int batch, int seq, int contentOffset, int dMlp) {
        values = Activations.copy(buffer, values);
        return new Activations(layer, batch, seq, contentOffset, dMlp, values);
    }
}
