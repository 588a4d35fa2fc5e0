package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Native memory freed as soon as a step is done: a step runs in its own {@link NDScope}, and only its result
 * outlives it (it joins the enclosing scope). A forward pass that kept every intermediate until its end held
 * gigabytes at context 1024: each layer's [batch, heads, seq, seq] attention scores, among others.
 */
public final class Scoped {
    private Scoped() {}

    /** One block of a transformer: the next residual stream from this one, or null when nothing reads it. */
    public interface Block {
        NDArray apply(int layer, NDArray x);
    }

    /** Runs {@code step} in its own scope and keeps only its result. */
    public static NDArray keep(Supplier<NDArray> step) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = step.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * Runs {@code layers} blocks in order, each in its own scope: only the residual stream passes from one block
     * to the next, and each block's input is freed once the next residual exists. Returns the last residual, or
     * null when a block returned none (nothing after it reads it).
     */
    public static NDArray blocks(NDArray input, int layers, Block block) {
        NDArray x = input;
        for (int l = 0; l < layers; l++) {
            NDArray next;
            try (NDScope scope = new NDScope()) {
                next = block.apply(l, x);
                if (next != null) {
                    NDScope.unregister(next);
                }
            }
            if (next == null) {
                return null;
            }
            NDScope.register(next);
            x.close();
            x = next;
        }
        return x;
    }
}
