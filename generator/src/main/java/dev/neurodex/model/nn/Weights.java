package dev.neurodex.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.StateDict;

/**
 * A checkpoint's tensors turned into NDArrays, each checked against the shape the model expects, so a wrong
 * checkpoint fails naming the tensor.
 *
 * @param prefix prepended to every name ("transformer." for a GPT-2 saved with its LM head, "" otherwise)
 */
public record Weights(StateDict dict, String prefix, NDManager manager) {

    public NDArray tensor(String name, long... shape) {
        HostTensor t = dict.get(prefix + name, shape);
        return manager.create(t.data(), new Shape(shape));
    }

    /** A PyTorch Linear: weight [out, in], bias [out]. */
    public Linear linear(String module, int out, int in) {
        return new Linear(tensor(module + ".weight", out, in), tensor(module + ".bias", out));
    }

    /** A GPT-2 Conv1D, stored [in, out]: transposed once here to Linear's [out, in]. */
    public Linear conv1d(String module, int in, int out) {
        HostTensor w = dict.get(prefix + module + ".weight", in, out).transposed();
        return new Linear(manager.create(w.data(), new Shape(out, in)), tensor(module + ".bias", out));
    }

    /** A Linear without bias (Llama's projections), or with one when {@code bias} (Qwen2's q, k, v). */
    public Linear linear(String module, int out, int in, boolean bias) {
        return new Linear(tensor(module + ".weight", out, in), bias ? tensor(module + ".bias", out) : null);
    }

    public RmsNorm rmsNorm(String module, int size, float eps) {
        return new RmsNorm(tensor(module + ".weight", size), eps);
    }

    public LayerNorm layerNorm(String module, int size, float eps) {
        return new LayerNorm(tensor(module + ".weight", size), tensor(module + ".bias", size), eps);
    }
}
