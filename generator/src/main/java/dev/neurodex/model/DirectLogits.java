package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * A layer's direct logit effect: for each neuron, the tokens its output direction most promotes and most
 * suppresses through the unembedding (W_out[n] scaled by the final LayerNorm weight, times W_U), ignoring
 * everything in between. [neuron][rank] arrays, best first.
 */
public record DirectLogits(int[][] topIds, float[][] topValues, int[][] bottomIds, float[][] bottomValues)
        implements java.io.Serializable {

    /** Models whose MLP outputs reach the logits through an unembedding (causal language models). */
    public interface Source {
        /** Computes layer {@code layer} as one matrix product (in chunks of neurons), keeping {@code k} each way. */
        DirectLogits directLogits(int layer, int k);

        /**
         * The same for any directions written to the final residual stream ([units, d_model]: an SAE's decoder
         * rows), through the final norm's weight and the unembedding.
         */
        DirectLogits directLogits(NDArray residualDirections, int k);
    }

    /** {@code directions} [units, d_model] through the final norm's weight and W_U ([vocab, d_model]). */
    public static DirectLogits ofResidual(NDArray directions, NDArray finalNormWeight, NDArray unembed, int k) {
        try (NDScope scope = new NDScope()) {
            return compute(directions.mul(finalNormWeight), unembed.transpose(), k);
        }
    }

    /** A layer's effect through its MLP output projection {@code down} ([d_model, d_mlp]), the final norm and W_U. */
    public static DirectLogits of(dev.neurodex.model.nn.Linear down, NDArray finalNormWeight, NDArray unembed, int k) {
        try (NDScope scope = new NDScope()) {
            return compute(down.weight().transpose().mul(finalNormWeight), unembed.transpose(), k);
        }
    }

    /**
     * {@code directions} [d_mlp, d_model] (each neuron's output direction, already scaled by the final
     * LayerNorm's weight) times {@code unembed} [d_model, vocab], in chunks of neurons so that only
     * chunk × vocab floats are alive at once, keeping {@code k} tokens each way per neuron.
     */
    public static DirectLogits compute(NDArray directions, NDArray unembed, int k) {
        int neurons = (int) directions.getShape().get(0);
        int vocab = (int) unembed.getShape().get(1);
        DirectLogits out = empty(neurons, k);
        int chunk = 256;
        for (int from = 0; from < neurons; from += chunk) {
            int to = Math.min(neurons, from + chunk);
            // A scope, not a sub-manager: the product belongs to the weights' manager and must still go.
            try (NDScope scope = new NDScope()) {
                float[] block = directions.get(from + ":" + to).matMul(unembed).toFloatArray(); // [chunk, vocab]
                select(block, to - from, vocab, k, from, out);
            }
        }
        return out;
    }

    /** The k largest (or, negated, smallest) entries of each row of a row-major [rows, cols] block. */
    static void select(float[] block, int rows, int cols, int k, int rowOffset, DirectLogits out) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            keep(block, base, cols, k, out.topIds()[rowOffset + r], out.topValues()[rowOffset + r], 1);
            keep(block, base, cols, k, out.bottomIds()[rowOffset + r], out.bottomValues()[rowOffset + r], -1);
        }
    }

    /** Insertion into a sorted k-list: cheap because almost every value fails the first comparison. */
    private static void keep(float[] block, int base, int cols, int k, int[] ids, float[] values, int sign) {
        int size = 0;
        for (int c = 0; c < cols; c++) {
            float v = sign * block[base + c];
            if (size == k && v <= sign * values[k - 1]) {
                continue;
            }
            int at = Math.min(size, k - 1);
            while (at > 0 && sign * values[at - 1] < v) {
                values[at] = values[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            values[at] = sign * v;
            ids[at] = c;
            size = Math.min(k, size + 1);
        }
    }

    public static DirectLogits empty(int neurons, int k) {
        return new DirectLogits(new int[neurons][k], new float[neurons][k], new int[neurons][k], new float[neurons][k]);
    }
}
