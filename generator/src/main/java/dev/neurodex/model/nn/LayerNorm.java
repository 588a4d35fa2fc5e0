package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last dimension, with learned scale and shift. */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

    public NDArray apply(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
