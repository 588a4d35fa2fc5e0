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
    public static float[] neuronMajor(NDArray batchSeqNeurons) {
        NDArray t = batchSeqNeurons.transpose(2, 0, 1);
        float[] out = new float[Math.toIntExact(t.size())];
        t.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
        return out;
    }

    /** A row-major [batch, seq, dMlp] array (as ONNX Runtime returns it) rearranged neuron-major. */
    public static float[] neuronMajor(float[] batchSeqNeurons, int batch, int seq, int dMlp) {
        float[] out = new float[batchSeqNeurons.length];
        int rows = batch * seq;
        for (int r = 0; r < rows; r++) {
            for (int n = 0; n < dMlp; n++) {
                out[n * rows + r] = batchSeqNeurons[r * dMlp + n];
            }
        }
        return out;
    }
}
