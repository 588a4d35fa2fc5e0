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
 * <p>
 * A TopK SAE's latents come sparse instead: {@code k} (index, value) pairs per position, [batch, seqLen, k] in
 * {@code indices} and {@code values}; every other unit of the position is exactly 0. A 16,384-latent SAE with
 * k = 32 is 0.2% of the dense array, which would be copied and aggregated for nothing.
 *
 * @param indices null for dense activations
 */
public record Activations(int layer, int batch, int seqLen, int contentOffset, int dMlp, float[] values, int[] indices,
                          int k) {

    public Activations(int layer, int batch, int seqLen, int contentOffset, int dMlp, float[] values) {
        this(layer, batch, seqLen, contentOffset, dMlp, values, null, 0);
    }

    public boolean sparse() {
        return indices != null;
    }

    /** Index into {@code indices} and {@code values} of the first pair of content position {@code pos} of window {@code b}. */
    public int pairs(int b, int pos) {
        return (b * seqLen + contentOffset + pos) * k;
    }

    /** Index into {@code values} of neuron {@code n} at content position {@code pos} of window {@code b}. */
    public int index(int b, int pos, int n) {
        return (b * seqLen + contentOffset + pos) * dMlp + n;
    }

    public float value(int b, int pos, int n) {
        if (indices == null) {
            return values[index(b, pos, n)];
        }
        int at = pairs(b, pos);
        for (int i = at; i < at + k; i++) {
            if (indices[i] == n) {
                return values[i];
            }
        }
        return 0f;
    }

    /** A copy that owns its values (exactly the batch's). */
    public Activations copy() {
        if (indices != null) {
            int size = batch * seqLen * k;
            return new Activations(layer, batch, seqLen, contentOffset, dMlp, Arrays.copyOf(values, size),
                    Arrays.copyOf(indices, size), k);
        }
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
