package dev.neurodex.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/** The compressions a corpus file may carry, recognised by its name's last suffix. */
enum Compression {
    NONE(""), GZIP(".gz"), ZSTD(".zst"), XZ(".xz"), BZIP2(".bz2");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    static Compression of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c != NONE && lower.endsWith(c.suffix)) {
                return c;
            }
        }
        return lower.endsWith(".tgz") ? GZIP : NONE;
    }

    /** The name without this compression's suffix: {@code a.jsonl.gz} → {@code a.jsonl}, {@code a.tgz} → {@code a.tar}. */
    String stripped(String name) {
        if (this == GZIP && name.toLowerCase(Locale.ROOT).endsWith(".tgz")) {
            return name.substring(0, name.length() - 4) + ".tar";
        }
        return name.substring(0, name.length() - suffix.length());
    }

    InputStream open(InputStream raw) throws IOException {
        return switch (this) {
            case NONE -> raw;
            case GZIP -> new GzipCompressorInputStream(raw, true); // concatenated members, as pigz and bgzip write
            case ZSTD -> new ZstdCompressorInputStream(raw);
            case XZ -> new XZCompressorInputStream(raw, true);
            case BZIP2 -> new BZip2CompressorInputStream(raw, true);
        };
    }
}
