package dev.neurodex.corpus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding that says where the first invalid byte is, instead of replacing it silently. */
final class Utf8 {
    private Utf8() {}

    /** Thrown with the byte offset of the first invalid sequence. */
    static final class Invalid extends Exception {
        final int offset;

        Invalid(int offset) {
            super("invalid UTF-8 at byte " + offset);
            this.offset = offset;
        }
    }

    static String decode(byte[] bytes, int offset, int length) throws Invalid {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new Invalid(in.position() - offset);
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }
}
