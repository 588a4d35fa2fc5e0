package dev.neurodex.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a stream line by line as raw bytes, so that each line can be decoded strictly on its own and an
 * invalid byte costs one record, not the file. Lines end at LF; a CR before it is dropped.
 */
final class ByteLines {
    private final InputStream in;
    private final int max;
    private boolean tooLong;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[1 << 12];
    private int length;

    /** @param max longer lines are read through but not kept: {@link #tooLong()} says so */
    ByteLines(InputStream in, int max) {
        this.in = in;
        this.max = max;
    }

    /** Reads the next line into {@link #bytes()}; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return any;
                }
            }
            any = true;
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') {
                pos++;
            }
            append(start, pos - start);
            if (pos < limit) {
                pos++; // the newline
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                if (length > max) {
                    tooLong = true;
                    length = 0;
                }
                return true;
            }
        }
    }

    private void append(int start, int count) {
        if (tooLong || (long) length + count > max + 1L) { // one more for a CR before the LF
            tooLong = true;
            length = 0;
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(max + 1L, Math.max(line.length * 2L, length + count)));
        }
        System.arraycopy(buffer, start, line, length, count);
        length += count;
    }

    /** The line was longer than the limit; its bytes are gone. */
    boolean tooLong() {
        return tooLong;
    }

    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }
}
