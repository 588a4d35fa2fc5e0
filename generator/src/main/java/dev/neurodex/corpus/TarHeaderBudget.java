package dev.neurodex.corpus;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds what a tar reader may consume while it looks for the next member: Commons Compress reads a GNU long name
 * or a PAX header into memory whole, so a gigabyte-long name would be a gigabyte of heap. The budget is armed only
 * between members; a member's own data is read unbounded (it has its size limit).
 */
final class TarHeaderBudget extends FilterInputStream {
    /** Header records, padding and PAX keys that come with a name: a few records beyond the name itself. */
    private static final int SLACK = 8 * 512;
    private final int maxName;
    private long remaining = -1;

    TarHeaderBudget(InputStream in, int maxName) {
        super(in);
        this.maxName = maxName;
    }

    /** From now until {@link #disarm}, reading more than the name limit fails. */
    void arm() {
        remaining = maxName + (long) SLACK;
    }

    void disarm() {
        remaining = -1;
    }

    @Override
    public int read() throws IOException {
        spend(1);
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining >= 0) {
            len = (int) Math.min(len, remaining + 1); // so that an oversized header fails before it is all read
        }
        int n = super.read(b, off, len);
        if (n > 0) {
            spend(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(remaining >= 0 ? Math.min(n, remaining + 1) : n);
        spend(skipped);
        return skipped;
    }

    private void spend(long n) throws LimitExceeded {
        if (remaining < 0) {
            return;
        }
        remaining -= n;
        if (remaining < 0) {
            throw new LimitExceeded("a member's header or name is longer than " + maxName
                    + " bytes (--max-tar-name-bytes)");
        }
    }
}
