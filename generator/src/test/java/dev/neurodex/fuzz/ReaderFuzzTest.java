package dev.neurodex.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusException;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.ModelException;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.model.gpt2.Gpt2Config;
import dev.neurodex.model.hf.HfCheckpoint;
import dev.neurodex.model.hf.Safetensors;
import dev.neurodex.tokenize.TokenizerException;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutation loop over the readers of untrusted files: valid corpora, safetensors, config.json and
 * tokenizer.json with bytes flipped, inserted, dropped and cut off. Whatever comes in, a reader either returns or
 * throws its own exception with a message; anything else (a NullPointerException, an IndexOutOfBounds, an Error)
 * fails the test with the seed that reproduces it. Each reader gets a fixed time budget, so CI time stays bounded.
 */
class ReaderFuzzTest {
    private static final long BUDGET_NANOS = 2_500_000_000L;
    private static final CorpusLimits LIMITS = new CorpusLimits(1 << 16, 1000, 1 << 20, 512, false);

    @TempDir
    Path dir;

    private interface Target {
        void run(byte[] input, long seed) throws Exception;
    }

    /** Mutates the seeds until the budget is spent; an exception outside {@code allowed} fails with its seed. */
    private static int fuzz(List<byte[]> seeds, Target target, Class<?>... allowed) {
        long end = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        for (long seed = 1; System.nanoTime() < end; seed++, runs++) {
            Random random = new Random(seed);
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            try {
                target.run(input, seed);
            } catch (Throwable t) {
                if (Arrays.stream(allowed).noneMatch(c -> c.isInstance(t))) {
                    throw new AssertionError("seed " + seed + ": " + t, t);
                }
                if (t.getMessage() == null || t.getMessage().isBlank()) {
                    fail("seed " + seed + ": " + t.getClass().getSimpleName() + " without a message");
                }
            }
        }
        return runs;
    }

    static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, at); // cut off
                case 3 -> { // insert random bytes
                    byte[] extra = new byte[1 + random.nextInt(16)];
                    random.nextBytes(extra);
                    byte[] c = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(extra, 0, c, at, extra.length);
                    System.arraycopy(b, at, c, at + extra.length, b.length - at);
                    b = c;
                }
                case 4 -> { // an interesting byte: quote, brace, digit, newline, NUL, 0xFF
                    byte[] interesting = {'"', '{', '}', '[', ']', '9', '-', '\n', 0, (byte) 0xFF, ':', ','};
                    b[at] = interesting[random.nextInt(interesting.length)];
                }
                default -> { // drop a range
                    int len = Math.min(b.length - at, 1 + random.nextInt(32));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
            }
        }
        return b;
    }

    private static byte[] compressed(byte[] data, IOFunction wrap) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = wrap.apply(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private interface IOFunction {
        OutputStream apply(OutputStream out) throws IOException;
    }

    @Test
    void corpusReaders() throws Exception {
        byte[] jsonl = ("{\"text\": \"first \\u00e9 document\", \"meta\": {\"pile_set_name\": \"a\"}}\n"
                + "{\"text\": \"second\"}\n\n{\"text\": \"third 😀\"}\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(tar)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (String name : new String[] {"a.jsonl", "b.txt", "x".repeat(150) + ".txt"}) {
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(jsonl.length);
                t.putArchiveEntry(entry);
                t.write(jsonl);
                t.closeArchiveEntry();
            }
        }
        String[] names = {"f.jsonl", "f.txt", "f.jsonl.gz", "f.jsonl.zst", "f.jsonl.xz", "f.jsonl.bz2", "f.tar", "f.tar.gz"};
        List<byte[]> seeds = List.of(jsonl, jsonl, compressed(jsonl, GzipCompressorOutputStream::new),
                compressed(jsonl, ZstdCompressorOutputStream::new), compressed(jsonl, XZCompressorOutputStream::new),
                compressed(jsonl, BZip2CompressorOutputStream::new), tar.toByteArray(),
                compressed(tar.toByteArray(), GzipCompressorOutputStream::new));
        BadRecords bad = new BadRecords(false, new PrintWriter(Writer.nullWriter()));
        // Each seed keeps its own name, so that a mutated gzip is read as gzip.
        for (int s = 0; s < seeds.size(); s++) {
            Path file = dir.resolve(names[s]);
            fuzz(List.of(seeds.get(s)), (input, seed) -> {
                Files.write(file, input);
                new CorpusReader(List.of(file), LIMITS, bad).read(doc -> true);
            }, CorpusException.class);
        }
    }

    @Test
    void safetensorsConfigAndTokenizerReaders() throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("model"));
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        long header = java.nio.ByteBuffer.wrap(weights, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] headerOnly = Arrays.copyOf(weights, (int) (8 + header + 64)); // mutations land in the header
        Path file = dir.resolve("fuzz.safetensors");
        fuzz(List.of(weights, headerOnly), (input, seed) -> {
            Files.write(file, input);
            Safetensors.read(file, new StateDict("fuzz"));
        }, ModelException.class);

        byte[] config = Files.readAllBytes(model.resolve("config.json"));
        fuzz(List.of(config), (input, seed) -> {
            Files.write(model.resolve("config.json"), input);
            Gpt2Config.of(HfCheckpoint.read(model));
        }, ModelException.class);

        byte[] tokenizer = ("{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, "
                + "{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \"bb\"}]}, "
                + "\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0, \"b\": 1, \"[UNK]\": 2}, \"unk_token\": \"[UNK]\"}}")
                .getBytes(StandardCharsets.UTF_8);
        fuzz(List.of(tokenizer), (input, seed) -> WindowTokenizer.load(input, "tokenizer.json", 1000).close(),
                TokenizerException.class);
    }
}
