package dev.neurodex.model;

import java.util.Arrays;

/** A float32 tensor in Java memory, row-major, as read from a checkpoint before it becomes an NDArray. */
public record HostTensor(String name, long[] shape, float[] data) {

    public HostTensor {
        long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (size != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape)
                    + " needs " + size + " values, has " + data.length);
        }
    }

    /** The transpose of a 2-D tensor: checkpoints store some matrices as [in, out], PyTorch's Linear wants [out, in]. */
    public HostTensor transposed() {
        if (shape.length != 2) {
            throw new IllegalStateException("tensor " + name + " is not 2-D: " + Arrays.toString(shape));
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new HostTensor(name, new long[] {cols, rows}, out);
    }
}
