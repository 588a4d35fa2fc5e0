package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;

/** The two GELUs transformers use: the exact (erf) form and the tanh approximation. */
public enum Gelu {
    /** 0.5 x (1 + erf(x / sqrt 2)): BERT, Pythia ("gelu"). */
    EXACT,
    /** 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))): GPT-2 ("gelu_new", "gelu_pytorch_tanh"). */
    TANH;

    private static final double C = Math.sqrt(2 / Math.PI);

    /** From a Hugging Face config's activation name, or null when it is not a GELU. */
    public static Gelu named(String name) {
        return switch (name) {
            case "gelu" -> EXACT;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> TANH;
            default -> null;
        };
    }

    public NDArray apply(NDArray x) {
        if (this == EXACT) {
            return x.getNDArrayInternal().gelu();
        }
        // 0.5 (1 + tanh z) = sigmoid(2z): x · sigmoid(x (2C + 2C·0.044715 x²)). Each op is a pass over
        // [batch, seq, d_mlp] floats; this form takes five where the textbook one takes eight, and works in place.
        NDArray z = x.mul(x).muli(2 * C * 0.044715).addi(2 * C).muli(x);
        NDArray s = z.getNDArrayInternal().sigmoid();
        z.close();
        return s.muli(x);
    }
}
