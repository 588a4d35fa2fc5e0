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

    /**
     * {@code n} bytes, allocated as they arrive: a damaged length costs an error at the end of the data, not an
     * array of the size it claims.
     */
    public byte[] readBytes(int n) throws IOException {
        if (n < 0) {
            throw new IOException("damaged state: a length of " + n);
        }
        try {
            if (n <= CHUNK) {
                byte[] bytes = new byte[n];
                in.readFully(bytes);
                return bytes;
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(CHUNK);
            byte[] chunk = new byte[CHUNK];
            for (int left = n; left > 0; left -= CHUNK) {
                int len = Math.min(CHUNK, left);
                in.readFully(chunk, 0, len);
                out.write(chunk, 0, len);
            }
            return out.toByteArray();
        } catch (java.io.EOFException e) {
            throw new IOException("damaged state: a length of " + n + " bytes, but the data ends before", e);
        }
    }

    private static final int CHUNK = 1 << 20;

    /** A count the state claims, checked against what any real state could hold. */
    int readCount(int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new IOException("damaged state: a count of " + n + " (at most " + max + ")");
        }
        return n;
    }

    private byte[] readArray(int width) throws IOException {
        return readBytes(readCount(Integer.MAX_VALUE / width) * width);
    }

    String readString() throws IOException {
        int n = in.readInt();
        return n < 0 ? null : new String(readBytes(n), StandardCharsets.UTF_8);
    }

    float[] readFloats() throws IOException {
        java.nio.FloatBuffer b = ByteBuffer.wrap(readArray(Float.BYTES)).asFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }


    long[] readLongs() throws IOException {
        java.nio.LongBuffer b = ByteBuffer.wrap(readArray(Long.BYTES)).asLongBuffer();
        long[] a = new long[b.remaining()];
        b.get(a);
        return a;
    }

    int[] readInts() throws IOException {
        java.nio.IntBuffer b = ByteBuffer.wrap(readArray(Integer.BYTES)).asIntBuffer();
        int[] a = new int[b.remaining()];
        b.get(a);
        return a;
    }

    TopEntry readEntry() throws IOException {
        float score = in.readFloat();
        WindowRef window = readRef();
        int start = in.readInt();
        return new TopEntry(score, window, start, readFloats());
    }

    public Window readWindow() throws IOException {
        WindowRef ref = readRef();
        int[] ids = readInts();
        long[] labels = in.readBoolean() ? readLongs() : null;
        if (labels != null && labels.length != ids.length) {
            throw new IOException("damaged state: " + labels.length + " labels for " + ids.length + " tokens");
        }
        return new Window(ref, ids, labels);
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
