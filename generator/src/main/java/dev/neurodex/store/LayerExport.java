package dev.neurodex.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

/**
 * Bulk data beside the pages: all of a layer's records as {@code layer.jsonl.gz}, one JSON object per line in
 * neuron order. Every {@value #LINES} lines are one gzip member, compressed in parallel; members simply
 * concatenate, and every gzip reader (zcat, Python's gzip, Java's GZIPInputStream) reads them as one file.
 * Records of neighbouring neurons share most field names, file names and tokens, so a member of many lines
 * compresses to three quarters of what one member per line gave.
 */
public final class LayerExport {
    private LayerExport() {}

    public static final int LINES = 64;

    /** The file: each record's JSON, in neuron order, one per line. */
    public static byte[] of(List<byte[]> records) {
        List<byte[]> members = IntStream.range(0, (records.size() + LINES - 1) / LINES).parallel()
                .mapToObj(m -> member(records.subList(m * LINES, Math.min(records.size(), (m + 1) * LINES))))
                .toList();
        ByteArrayOutputStream out = new ByteArrayOutputStream(members.stream().mapToInt(m -> m.length).sum());
        members.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] member(List<byte[]> lines) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(lines.stream().mapToInt(l -> l.length).sum() / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(buffer, 1 << 16)) {
            for (byte[] line : lines) {
                gz.write(line);
                gz.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }
}
