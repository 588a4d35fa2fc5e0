package dev.neurodex.spark;

import dev.neurodex.aggregate.StateInput;
import dev.neurodex.aggregate.StateOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Aggregation states as bytes, in the checkpoint's layout: how states travel between driver and executors. */
final class StateBytes {
    private StateBytes() {}

    interface Writer {
        void write(StateOutput out) throws IOException;
    }

    interface Reader<T> {
        T read(StateInput in) throws IOException;
    }

    static byte[] of(Writer state) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StateOutput out = new StateOutput(bytes);
            state.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(byte[] bytes, Reader<T> reader) {
        try {
            return reader.read(new StateInput(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
