package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;

/** y = x Wᵀ + b, with W in PyTorch's [out, in] layout; {@code bias} may be null. */
public record Linear(NDArray weight, NDArray bias) {

    public NDArray apply(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }
}
