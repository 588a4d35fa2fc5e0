package dev.neurodex.corpus;

import java.io.FilterInputStream;
import java.io.InputStream;

/** A view of a tar member: closing it leaves the archive open for the next member. */
final class NonClosingInputStream extends FilterInputStream {
    NonClosingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public void close() {
        // the archive owns the stream
    }
}
