package dev.neurodex.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Corpora built to break the reader: each ends in a counted skip or one clear error, never an Error or a hang. */
class HostileCorpusTest {
    private static final CorpusLimits SMALL = new CorpusLimits(1 << 20, 1000, 8 << 20, 512, false);

    @TempDir
    Path dir;

    private final StringWriter log = new StringWriter();
    private BadRecords bad = new BadRecords(false, new PrintWriter(log, true));

    private List<Document> read(CorpusLimits limits, Path... roots) {
        List<Document> docs = new ArrayList<>();
        new CorpusReader(List.of(roots), limits, bad).read(docs::add);
        return docs;
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, bytes);
        return f;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLineOverTheLimitIsSkippedAndTheNextRecordKept() throws IOException {
        String huge = "{\"text\": \"" + "x".repeat(3 << 20) + "\"}\n";
        Path f = file("huge.jsonl", utf8("{\"text\": \"before\"}\n" + huge + "{\"text\": \"after\"}\n"));
        List<Document> docs = read(SMALL, f);
        assertEquals(List.of("before", "after"), docs.stream().map(Document::text).toList());
        assertEquals(3, docs.get(1).origin().line());
        assertEquals(1, bad.count());
        assertTrue(log.toString().contains("huge.jsonl:2: line longer than 1 MiB (--max-line-bytes)"), log.toString());
    }

    @Test
    void aCompressionBombStopsAtTheFileLimit() throws IOException {
        Path f = dir.resolve("bomb.jsonl.zst");
        try (OutputStream out = new ZstdCompressorOutputStream(Files.newOutputStream(f))) {
            out.write(utf8("{\"text\": \"real\"}\n"));
            byte[] line = utf8("{\"text\": \"" + "b".repeat(1000) + "\"}\n");
            for (int i = 0; i < 20_000; i++) { // 20 MB decompressed, a few KB on disk
                out.write(line);
            }
        }
        assertTrue(Files.size(f) < 100_000);
        List<Document> docs = read(SMALL, f);
        assertEquals("real", docs.get(0).text());
        assertTrue(docs.size() < 9000, "stopped near 8 MiB, read " + docs.size());
        assertEquals(1, bad.count());
        assertTrue(log.toString().contains("bomb.jsonl.zst: rest of the file skipped after")
                && log.toString().contains("more than 8 MiB once decompressed (--max-file-bytes)"), log.toString());
    }

    @Test
    void aLongDocumentComesInPiecesCutAtLineBreaks() throws IOException {
        StringBuilder book = new StringBuilder();
        for (int i = 0; book.length() < 10_000; i++) {
            book.append("Line ").append(i).append(" of a long book, with some words.\n");
        }
        String text = book.toString();
        Path txt = file("book.txt", utf8(text));
        List<Document> pieces = read(SMALL, txt);
        assertTrue(pieces.size() >= 10, "pieces: " + pieces.size());
        assertEquals(text, String.join("", pieces.stream().map(Document::text).toList()));
        int line = 1;
        for (Document d : pieces) {
            assertTrue(d.text().length() <= 1000 && d.text().endsWith("\n"), d.text().length() + " " + pieces.indexOf(d) + " [" + d.text().substring(Math.max(0, d.text().length() - 30)) + "]");
            assertEquals(line, d.origin().line(), "a piece starts at its line");
            line += d.text().chars().filter(c -> c == '\n').count();
        }
        String json = "{\"text\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text) + "}\n";
        List<Document> records = read(SMALL, file("book.jsonl", utf8(json)));
        assertEquals(text, String.join("", records.stream().map(Document::text).toList()));
        assertTrue(records.stream().allMatch(d -> d.text().length() <= 1000 && d.origin().line() == 1));
        // One character repeated (no line break, no space) is cut at the limit, never inside a surrogate pair.
        String emoji = "😀".repeat(1500);
        List<Document> hard = read(SMALL, file("emoji.txt", utf8(emoji)));
        assertEquals(emoji, String.join("", hard.stream().map(Document::text).toList()));
        assertTrue(hard.stream().allMatch(d -> d.text().length() <= 1000 && !Character.isLowSurrogate(d.text().charAt(0))));
        assertEquals(0, bad.count(), log.toString());
    }

    @Test
    void aTarMemberWithAHugeLongNameEndsTheArchiveNotTheHeap() throws IOException {
        Path f = dir.resolve("names.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(f))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (String name : new String[] {"ok.txt", "n".repeat(20_000) + ".txt", "later.txt"}) {
                byte[] body = utf8("member " + name.length());
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        List<Document> docs = read(SMALL, f);
        assertEquals(List.of("member 6"), docs.stream().map(Document::text).toList());
        assertEquals(1, bad.count());
        assertTrue(log.toString().contains("names.tar: rest of the file skipped after 1 documents: a member's header "
                + "or name is longer than 512 bytes (--max-tar-name-bytes)"), log.toString());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void fifosDevicesAndLinksOutsideAreNotRead() throws Exception {
        Path fifo = dir.resolve("pipe.jsonl");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        CorpusException e = assertThrows(CorpusException.class, () -> read(SMALL, fifo));
        assertTrue(e.getMessage().contains("pipe.jsonl") && e.getMessage().contains("FIFO"), e.getMessage());
        e = assertThrows(CorpusException.class, () -> read(SMALL, Path.of("/dev/zero")));
        assertTrue(e.getMessage().contains("/dev/zero"), e.getMessage());

        Path secret = file("outside/secret.txt", utf8("a private file"));
        Path root = dir.resolve("corpus");
        file("corpus/a.txt", utf8("inside"));
        Files.createSymbolicLink(root.resolve("link.txt"), secret);
        Files.move(fifo, root.resolve("pipe.jsonl"));
        CorpusReader reader = new CorpusReader(List.of(root), SMALL, bad);
        List<Document> docs = new ArrayList<>();
        reader.read(docs::add);
        assertEquals(List.of("inside"), docs.stream().map(Document::text).toList());
        assertEquals(List.of("link.txt (a symbolic link, not followed without --follow-symlinks)",
                "pipe.jsonl (a FIFO, device or socket)"), reader.skippedFiles());
        CorpusLimits follow = new CorpusLimits(1 << 20, 1000, 8 << 20, 512, true);
        assertEquals(List.of("inside", "a private file"), read(follow, root).stream().map(Document::text).toList());
    }

    @Test
    void byteOrderMarksTrailingTextAndTruncationAreHandled() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        Path jsonl = file("bom.jsonl", concat(bom, utf8("{\"text\": \"first\"}\n{\"text\": \"second\"}\n")));
        assertEquals(List.of("first", "second"), read(SMALL, jsonl).stream().map(Document::text).toList());
        assertEquals(List.of("plain"), read(SMALL, file("bom.txt", concat(bom, utf8("plain"))))
                .stream().map(Document::text).toList());
        assertEquals(0, bad.count(), log.toString());

        Path glued = file("glued.jsonl", utf8("{\"text\": \"one\"}{\"text\": \"two\"}\n{\"text\": \"three\"}\n"));
        assertEquals(List.of("three"), read(SMALL, glued).stream().map(Document::text).toList());
        assertTrue(log.toString().contains("glued.jsonl:1: more text after the JSON object"), log.toString());

        Path gz = dir.resolve("cut.jsonl.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(gz))) {
            for (int i = 0; i < 40_000; i++) {
                out.write(utf8("{\"text\": \"record " + i + " " + Math.sin(i) + "\"}\n"));
            }
        }
        byte[] whole = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(whole, whole.length / 2));
        bad = new BadRecords(false, new PrintWriter(log, true));
        List<Document> docs = read(SMALL, gz);
        assertTrue(docs.size() > 1000 && docs.size() < 40_000, "read " + docs.size());
        assertEquals(1, bad.count());
        assertTrue(log.toString().contains("cut.jsonl.gz: rest of the file skipped after " + docs.size()
                + " documents: unexpected end of data (a truncated file?)"), log.toString());
    }

    @Test
    void fileNamesWithTerminalEscapesArePrintedEscaped() throws IOException {
        file("evil\u001b[2J\n.jsonl", utf8("not json\n"));
        read(SMALL, dir);
        assertFalse(log.toString().contains("\u001b"), log.toString());
        assertTrue(log.toString().contains("evil\\x1b[2J\\x0a.jsonl:1: broken JSON"), log.toString());
        assertEquals(1, log.toString().lines().count());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
