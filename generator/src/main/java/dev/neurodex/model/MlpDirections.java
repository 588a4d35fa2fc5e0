package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import dev.neurodex.model.nn.Linear;

/**
 * The directions in the residual stream each MLP neuron reads and writes, as [d_mlp, d_model] matrices: the rows of
 * W_in with the weight of the LayerNorm in front of the MLP folded in (what the neuron sees of the stream), and the
 * rows of W_out (for a post-LayerNorm model such as BERT, times the weight of the LayerNorm after the MLP). From
 * them, neighbours: neurons writing alike, and virtual weights from one neuron's output to a later one's input.
 */
public interface MlpDirections {
    NDArray readDirections(int layer);

    NDArray writeDirections(int layer);

    /** The rows of an MLP input projection ([d_mlp, d_model]) times the weight of the norm in front of it. */
    static NDArray read(Linear in, NDArray normWeight) {
        return in.weight().mul(normWeight);
    }

    /** The columns of an MLP output projection ([d_model, d_mlp]) as rows. */
    static NDArray write(Linear out) {
        return out.weight().transpose();
    }
}
