package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One layer's hooked activations for one batch, copied to Java memory: a row-major [batch, seqLen, dMlp] array,
 * as the engine computes it (a transposed copy would cost the engine as much time as the whole aggregation).
 * Content token {@code pos} of window {@code b} sits at sequence position {@code contentOffset + pos}; special
 * and padding positions are never read. {@code values} may be longer than the batch needs (it is reused).
 */
public record Activations(int layer, int batch, int seqLen, int contentOffset, int dMlp, float[] values) {

    /** Index into {@code values} of neuron {@code n} at content position {@code pos} of window {@code b}. */
    public int index(int b, int pos, int n) {
        return (b * seqLen + contentOffset + pos) * dMlp + n;
    }

    public float value(int b, int pos, int n) {
        return values[index(b, pos, n)];
    }

    /** A copy that owns its values (exactly the batch's). */
    public Activations copy() {
        return new Activations(layer, batch, seqLen, contentOffset, dMlp, Arrays.copyOf(values, batch * seqLen * dMlp));
    }

    /** A tensor of the engine copied once, straight from its memory, into {@code reuse} if that is large enough. */
    public static float[] copy(NDArray tensor, float[] reuse) {
        return copy(tensor.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer(), reuse);
    }

    /** The remaining floats of {@code buffer}, in {@code reuse} if that is large enough (only a prefix is meaningful). */
    public static float[] copy(FloatBuffer buffer, float[] reuse) {
        int size = buffer.remaining();
        float[] out = reuse != null && reuse.length >= size ? reuse : new float[size];
        buffer.get(out, 0, size);
        return out;
    }
}
