package dev.neurodex.model;

import ai.djl.ndarray.NDArray;

/**
 * The Java array a model copies each layer's hooked activations into: one array, reused layer after layer and
 * batch after batch. Allocating hundreds of MB anew for each batch kept the garbage collector marking
 * concurrently with the forward pass. One per model; a model runs one batch at a time.
 */
public final class HookBuffer {
    private float[] values;
    private float[] pairValues;

    /** {@code tensor} [batch, seq, dMlp] as layer {@code layer}'s activations, valid until the next call. */
    public Activations take(NDArray tensor, int layer, int batch, int seq, int contentOffset, int dMlp) {
        values = Activations.copy(tensor, values);
        return new Activations(layer, batch, seq, contentOffset, dMlp, values);
    }

    /** {@code tensor} [batch, seq, width] as group {@code group}'s activations, valid until the next call. */
    public Activations take(NDArray tensor, int group, int contentOffset) {
        ai.djl.ndarray.types.Shape s = tensor.getShape();
        return take(tensor, group, (int) s.get(0), (int) s.get(1), contentOffset, (int) s.get(2));
    }

    /**
     * A sink that copies each tensor of a plan's layers into Java memory and hands it on, as {@link HookedModel}'s
     * plain run does for mlp.hook_post.
     */
    public HookSink copying(int contentOffset, java.util.function.Consumer<Activations> hook) {
        return (point, layer, tensor) -> hook.accept(take(tensor, layer, contentOffset));
    }

    /**
     * Sparse activations of {@code width} units: {@code values} and {@code indices} [batch, seq, k] (indices of any
     * integer type), valid until the next call.
     */
    public Activations takeSparse(NDArray values, NDArray indices, int group, int contentOffset, int width) {
        ai.djl.ndarray.types.Shape s = values.getShape();
        pairValues = Activations.copy(values, pairValues);
        int[] ids = indices.toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        return new Activations(group, (int) s.get(0), (int) s.get(1), contentOffset, width, pairValues, ids,
                (int) s.get(2));
    }

    /** The same from a buffer (ONNX Runtime's outputs). */
    public Activations take(java.nio.FloatBuffer buffer, int layer, int batch, int seq, int contentOffset, int dMlp) {
        values = Activations.copy(buffer, values);
        return new Activations(layer, batch, seq, contentOffset, dMlp, values);
    }
}
