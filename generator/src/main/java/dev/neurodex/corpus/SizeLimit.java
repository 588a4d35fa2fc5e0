package dev.neurodex.corpus;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Stops a decompressed stream at {@code --max-file-bytes}: a compression bomb costs time up to the limit, no more. */
final class SizeLimit extends FilterInputStream {
    private final long max;
    private long count;

    SizeLimit(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        counted(skipped);
        return skipped;
    }

    private void counted(long n) throws LimitExceeded {
        count += n;
        if (count > max) {
            throw new LimitExceeded("more than " + Sizes.format(max) + " once decompressed (--max-file-bytes)");
        }
    }
}
