package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;

/** RMSNorm over the last dimension: x / sqrt(mean(x²) + eps) · weight, as Llama, Mistral and Qwen2 use it. */
public record RmsNorm(NDArray weight, float eps) {

    public NDArray apply(NDArray x) {
        NDArray rms = x.square().mean(new int[] {-1}, true).addi(eps).sqrt();
        return x.div(rms).muli(weight);
    }
}
