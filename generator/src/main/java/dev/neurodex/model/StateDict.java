package dev.neurodex.model;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named weights in PyTorch's naming and layout ([out, in] for Linear), whatever file they came from.
 * A model family asks for each tensor with the shape it expects, so a wrong checkpoint fails with the tensor's name.
 */
public final class StateDict {
    private final Map<String, HostTensor> tensors = new TreeMap<>();
    private final String origin;

    public StateDict(String origin) {
        this.origin = origin;
    }

    public void put(HostTensor tensor) {
        tensors.put(tensor.name(), tensor);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Iterable<String> names() {
        return tensors.keySet();
    }

    public long parameterCount() {
        return tensors.values().stream().mapToLong(t -> t.data().length).sum();
    }

    /** The tensor {@code name} whatever its shape, or null. */
    public HostTensor find(String name) {
        return tensors.get(name);
    }

    /** The tensor {@code name}, checked to have exactly {@code shape}. */
    public HostTensor get(String name, long... shape) {
        HostTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new ModelException(origin + ": missing tensor " + name);
        }
        if (!Arrays.equals(tensor.shape(), shape)) {
            throw new ModelException(origin + ": tensor " + name + " has shape " + Arrays.toString(tensor.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return tensor;
    }
}
