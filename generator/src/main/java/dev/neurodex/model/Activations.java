package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import java.nio.ByteOrder;

/**
 * The hooked activations of one batch, copied to Java memory: for each layer a neuron-major
 * [dMlp, batch, seqLen] array. Content token {@code pos} of window {@code b} sits at sequence position
 * {@code contentOffset + pos}; special and padding positions are never read.
 *
 * <p>Neuron-major because aggregation walks one neuron at a time over every token of the batch: its
 * histogram row and running values stay in the core's cache, and a window's values are one contiguous run.
 */
public record Activations(int batch, int seqLen, int contentOffset, int dMlp, float[][] layers) {

    /** Index into {@code layers[l]} of neuron {@code n} at content position {@code pos} of window {@code b}. */
    public int index(int b, int pos, int n) {
        return (n * batch + b) * seqLen + contentOffset + pos;
    }

    public float value(int layer, int b, int pos, int n) {
        return layers[layer][index(b, pos, n)];
    }

    /**
     * A [batch, seq, dMlp] tensor of the engine copied into a neuron-major Java array. The engine makes the
     * transposed view contiguous (in native code, on its threads) and Java copies it once, straight from the
     * tensor's memory; {@code toFloatArray} would copy twice.
     */
    public static float[] neuronMajor(NDArray batchSeqNeurons, float[] reuse) {
        NDArray t = batchSeqNeurons.transpose(2, 0, 1);
        float[] out = array(Math.toIntExact(t.size()), reuse);
        t.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, Math.toIntExact(t.size()));
        return out;
    }

    /** {@code reuse} if it holds at least {@code size} floats (only its first {@code size} are meaningful). */
    private static float[] array(int size, float[] reuse) {
        return reuse != null && reuse.length >= size ? reuse : new float[size];
    }

    /** Layer {@code l}'s array of {@code recycled}, or null. */
    public static float[] spare(Activations recycled, int l) {
        return recycled == null || l >= recycled.layers().length ? null : recycled.layers()[l];
    }

    /** A row-major [batch, seq, dMlp] array (as ONNX Runtime returns it) rearranged neuron-major. */
    public static float[] neuronMajor(float[] batchSeqNeurons, int batch, int seq, int dMlp, float[] reuse) {
        float[] out = array(batch * seq * dMlp, reuse);
        int rows = batch * seq;
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < dMlp; n++) {
                out[n * rows + r] = batchSeqNeurons[r * dMlp + n];
            }
        }
        return out;
    }
}
