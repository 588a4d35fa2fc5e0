package dev.neurodex.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Bulk data beside the pages: all of a layer's records as {@code layer.jsonl.gz}, one JSON object per line in
 * neuron order. Each line is its own gzip member, compressed while its page is rendered (in parallel); members
 * simply concatenate, and every gzip reader (zcat, Python's gzip, Java's GZIPInputStream) reads them as one file.
 */
public final class LayerExport {
    private LayerExport() {}

    /** One record as a gzip member holding its JSON line. */
    public static byte[] member(byte[] json) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(json.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(buffer, 1 << 14) {
            {
                def.setLevel(Deflater.BEST_SPEED); // bulk data read by programs: speed over the last few percent
            }
        }) {
            gz.write(json);
            gz.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** The members of a layer, concatenated in neuron order. */
    public static byte[] concat(List<byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(members.stream().mapToInt(m -> m.length).sum());
        members.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
