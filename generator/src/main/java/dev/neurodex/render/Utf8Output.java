package dev.neurodex.render;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A page as UTF-8 bytes, written piece by piece by a template. A {@link java.io.StringWriter} would hold the
 * whole page as UTF-16 as soon as one character needs it (every page has a "·"), and then encode it char by
 * char; here each piece is encoded on its own, and the token markup, nearly always Latin-1, is a plain copy.
 * Not thread-safe: one per page.
 */
final class Utf8Output extends Writer {
    private byte[] bytes;
    private int size;

    Utf8Output(int capacity) {
        bytes = new byte[capacity];
    }

    @Override
    public void write(String s) {
        append(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void write(String s, int off, int len) {
        write(s.substring(off, off + len));
    }

    @Override
    public void write(char[] chars, int off, int len) {
        write(new String(chars, off, len));
    }

    private void append(byte[] piece) {
        if (size + piece.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + piece.length));
        }
        System.arraycopy(piece, 0, bytes, size, piece.length);
        size += piece.length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
