package dev.neurodex.aggregate;

import dev.neurodex.corpus.Origin;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowRef;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@link StateOutput} wrote. */
public final class StateInput {
    private final DataInputStream in;
    private final List<WindowRef> windows = new ArrayList<>();

    public StateInput(InputStream in) {
        this.in = new DataInputStream(in);
    }

    public int readInt() throws IOException {
        return in.readInt();
    }

    public long readLong() throws IOException {
        return in.readLong();
    }

    float readFloat() throws IOException {
        return in.readFloat();
    }

    public byte[] readBytes(int n) throws IOException {
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return bytes;
    }

    String readString() throws IOException {
        int n = in.readInt();
        return n < 0 ? null : new String(readBytes(n), StandardCharsets.UTF_8);
    }

    float[] readFloats() throws IOException {
        int n = in.readInt();
        float[] a = new float[n];
        ByteBuffer.wrap(readBytes(n * Float.BYTES)).asFloatBuffer().get(a);
        return a;
    }

    double[] readDoubles() throws IOException {
        int n = in.readInt();
        double[] a = new double[n];
        ByteBuffer.wrap(readBytes(n * Double.BYTES)).asDoubleBuffer().get(a);
        return a;
    }

    long[] readLongs() throws IOException {
        int n = in.readInt();
        long[] a = new long[n];
        ByteBuffer.wrap(readBytes(n * Long.BYTES)).asLongBuffer().get(a);
        return a;
    }

    int[] readInts() throws IOException {
        int n = in.readInt();
        int[] a = new int[n];
        ByteBuffer.wrap(readBytes(n * Integer.BYTES)).asIntBuffer().get(a);
        return a;
    }

    TopEntry readEntry() throws IOException {
        float score = in.readFloat();
        WindowRef window = readRef();
        int start = in.readInt();
        return new TopEntry(score, window, start, readFloats());
    }

    public Window readWindow() throws IOException {
        return new Window(readRef(), readInts());
    }

    WindowRef readRef() throws IOException {
        int seen = in.readInt();
        if (seen >= 0) {
            if (seen >= windows.size()) {
                throw new IOException("window " + seen + " referred to before it was written");
            }
            return windows.get(seen);
        }
        String file = readString();
        int line = in.readInt();
        Origin origin = new Origin(file, line < 0 ? null : line, readString());
        WindowRef w = new WindowRef(origin, in.readLong(), in.readInt(), in.readLong(), in.readInt(), in.readInt());
        windows.add(w);
        return w;
    }
}
