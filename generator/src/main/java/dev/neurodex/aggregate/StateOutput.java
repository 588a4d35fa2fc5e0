package dev.neurodex.aggregate;

import dev.neurodex.corpus.Origin;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowRef;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes aggregation state in the binary form {@link StateInput} reads. A window kept by many neurons is written
 * once and referred to by number afterwards, so the restored state shares windows as the original did.
 */
public final class StateOutput {
    private final DataOutputStream out;
    private final Map<WindowRef, Integer> windows = new IdentityHashMap<>();

    public StateOutput(OutputStream out) {
        this.out = new DataOutputStream(out);
    }

    public void writeInt(int v) throws IOException {
        out.writeInt(v);
    }

    public void writeLong(long v) throws IOException {
        out.writeLong(v);
    }

    void writeFloat(float v) throws IOException {
        out.writeFloat(v);
    }

    public void writeBytes(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    void writeString(String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8); // not writeUTF: a token's text may exceed 64 KB
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    // Arrays go out as one bulk byte copy each: element-wise DataOutputStream calls are several times slower.
    void writeFloats(float[] a) throws IOException {
        ByteBuffer bytes = bytes(a.length, Float.BYTES);
        bytes.asFloatBuffer().put(a);
        out.write(bytes.array());
    }


    void writeLongs(long[] a) throws IOException {
        ByteBuffer bytes = bytes(a.length, Long.BYTES);
        bytes.asLongBuffer().put(a);
        out.write(bytes.array());
    }

    void writeInts(int[] a) throws IOException {
        ByteBuffer bytes = bytes(a.length, Integer.BYTES);
        bytes.asIntBuffer().put(a);
        out.write(bytes.array());
    }

    /** Writes the element count and returns a buffer for the elements. */
    private ByteBuffer bytes(int count, int width) throws IOException {
        out.writeInt(count);
        return ByteBuffer.allocate(count * width);
    }

    void writeEntry(TopEntry e) throws IOException {
        out.writeFloat(e.score());
        writeRef(e.window());
        out.writeInt(e.start());
        writeFloats(e.values());
    }

    /** A window as the scan runs it: where it is, its token ids and their probe labels. */
    public void writeWindow(Window w) throws IOException {
        writeRef(w.ref());
        writeInts(w.ids());
        out.writeBoolean(w.labels() != null);
        if (w.labels() != null) {
            writeLongs(w.labels());
        }
    }

    void writeRef(WindowRef w) throws IOException {
        Integer seen = windows.get(w);
        out.writeInt(seen == null ? -1 : seen);
        if (seen != null) {
            return;
        }
        windows.put(w, windows.size());
        Origin o = w.origin();
        writeString(o.file());
        out.writeInt(o.line() == null ? -1 : o.line());
        writeString(o.source());
        out.writeLong(w.document());
        out.writeInt(w.index());
        out.writeLong(w.order());
        out.writeInt(w.length());
        out.writeInt(w.idsHash());
    }

    public void flush() throws IOException {
        out.flush();
    }
}
