package dev.neurodex.scan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.neurodex.aggregate.ModelAggregate;
import dev.neurodex.aggregate.StateInput;
import dev.neurodex.aggregate.StateOutput;
import dev.neurodex.tokenize.Window;
import org.apache.commons.io.output.CloseShieldOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The state of a scan at a pool boundary: everything aggregated so far, the windows read but not yet run, and
 * where the reader stands. A scan resumed from it continues exactly as the uninterrupted scan would have, so
 * the final records are identical.
 *
 * @param identity    what the scan was run on; a resume must match it
 * @param documents   documents consumed (aggregated or in {@code pending})
 * @param nextOrder   corpus order of the next window the reader makes
 * @param readTokens  content tokens the reader has produced (counts against --max-tokens)
 * @param windows     windows aggregated
 * @param tokens      content tokens aggregated
 * @param bytesRead   corpus bytes read (for progress)
 * @param pending     windows read but not yet run, in pool order
 * @param aggregate   the mergeable aggregation state
 */
public record Checkpoint(Identity identity, long documents, long nextOrder, long readTokens, long windows,
                         long tokens, long bytesRead, List<Window> pending, ModelAggregate aggregate) {

    /** The first line of a checkpoint file: its layout, bumped whenever the state written changes. */
    public static final String MAGIC = "neurodex-checkpoint 5\n"; // 5: pools by window order
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Everything that decides a scan's result. Threads are part of it because the engine's float sums may
     * depend on how work is split; the corpus is named by path, size and modification time of each file.
     */
    public record Identity(String model, String modelSha256, int context, int topK, int keep, int batchSize,
                           long maxTokens, int threads, List<String> probes, List<String> units,
                           List<String> corpus) {

        /** What differs between this identity and {@code other}, for the error message; null if nothing. */
        public String difference(Identity other) {
            List<String> d = new ArrayList<>();
            differ(d, "model", model, other.model);
            differ(d, "model weights (sha256)", modelSha256, other.modelSha256);
            differ(d, "--context", context, other.context);
            differ(d, "--top-k", topK, other.topK);
            differ(d, "--keep-values", keep, other.keep);
            differ(d, "--batch-size", batchSize, other.batchSize);
            differ(d, "--max-tokens", maxTokens, other.maxTokens);
            differ(d, "--threads", threads, other.threads);
            differ(d, "--probe", probes, other.probes);
            differ(d, "--hook and --sae (hooks, SAE weights)", units, other.units);
            differ(d, "corpus files (path, size, modification time)", corpus, other.corpus);
            return d.isEmpty() ? null : String.join("; ", d);
        }

        private static void differ(List<String> out, String what, Object mine, Object theirs) {
            if (!Objects.equals(mine, theirs)) {
                out.add(what + ": checkpoint " + mine + ", now " + theirs);
            }
        }
    }

    private record Header(Identity identity, long documents, long nextOrder, long readTokens, long windows,
                          long tokens, long bytesRead) {}

    /** Writes to a temporary file beside {@code file}, forces it to disk, then renames it over the old one. */
    /**
     * Decompresses the whole file once, which checks zstd's checksum: a damaged checkpoint fails here, before any
     * count in it is believed.
     */
    private static void verify(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.skipNBytes(MAGIC.length());
            try (InputStream zstd = new ZstdInputStream(raw)) {
                zstd.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new IOException("the file is damaged (" + e.getMessage() + ")", e);
            }
        }
    }

    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream raw = Channels.newOutputStream(channel);
            raw.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
            ZstdOutputStream zstd = new ZstdOutputStream(CloseShieldOutputStream.wrap(raw), 1);
            zstd.setChecksum(true); // a damaged file fails to read instead of resuming from wrong state
            StateOutput out = new StateOutput(new BufferedOutputStream(zstd, 1 << 16));
            byte[] header = JSON.writeValueAsBytes(new Header(identity, documents, nextOrder, readTokens, windows,
                    tokens, bytesRead));
            out.writeInt(header.length);
            out.writeBytes(header);
            out.writeInt(pending.size());
            for (Window w : pending) {
                out.writeWindow(w);
            }
            aggregate.write(out);
            out.flush();
            zstd.close(); // ends the frame; the channel stays open until forced
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Checkpoint read(Path file) throws IOException {
        verify(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] magic = raw.readNBytes(MAGIC.length());
            if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException(file + " is not a checkpoint of this neurodex version");
            }
            StateInput in = new StateInput(new BufferedInputStream(new ZstdInputStream(raw), 1 << 16));
            Header h = JSON.readValue(in.readBytes(in.readInt()), Header.class);
            int count = in.readInt();
            if (count < 0) {
                throw new IOException("damaged: " + count + " pending windows");
            }
            List<Window> pending = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                pending.add(in.readWindow());
            }
            return new Checkpoint(h.identity(), h.documents(), h.nextOrder(), h.readTokens(), h.windows(), h.tokens(),
                    h.bytesRead(), pending, ModelAggregate.read(in));
        }
    }
}
