package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in the "rotate half" layout of GPT-NeoX and Llama: the first {@code dims} dimensions
 * of each head are turned as pairs (i, i + dims/2) by angle position · inverseFrequency[i]; the rest pass.
 */
public final class Rotary {
    private final NDArray cos; // [seq, dims], the halves repeated
    private final NDArray sin;
    private final int dims;

    /** The tables for {@code seq} positions of the given inverse frequencies (dims/2 of them), in {@code manager}. */
    public Rotary(NDManager manager, int seq, double[] inverseFrequencies) {
        this.dims = 2 * inverseFrequencies.length;
        float[] c = new float[seq * dims];
        float[] s = new float[seq * dims];
        for (int t = 0; t < seq; t++) {
            for (int i = 0; i < dims / 2; i++) {
                double angle = t * inverseFrequencies[i];
                c[t * dims + i] = c[t * dims + i + dims / 2] = (float) Math.cos(angle);
                s[t * dims + i] = s[t * dims + i + dims / 2] = (float) Math.sin(angle);
            }
        }
        this.cos = manager.create(c, new Shape(seq, dims));
        this.sin = manager.create(s, new Shape(seq, dims));
    }

    /** base^(−2i/dims) for i < dims/2: the frequencies of plain rotary embeddings. */
    public static double[] inverseFrequencies(int dims, double base) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1 / Math.pow(base, 2.0 * i / dims);
        }
        return f;
    }

    /** x · cos + rotate_half(x) · sin on the first dims of the last axis of x [batch, heads, seq, head_dim]. */
    public NDArray apply(NDArray x, int headDim) {
        NDArray turned = dims == headDim ? x : x.get(":, :, :, 0:" + dims);
        NDArray first = turned.get(":, :, :, 0:" + dims / 2);
        NDArray second = turned.get(":, :, :, " + dims / 2 + ":" + dims);
        NDArray half = second.neg().concat(first, -1);
        NDArray rotated = turned.mul(cos).addi(half.muli(sin));
        return dims == headDim ? rotated : rotated.concat(x.get(":, :, :, " + dims + ":" + headDim), -1);
    }
}
