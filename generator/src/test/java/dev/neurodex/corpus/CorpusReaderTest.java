package dev.neurodex.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
    private static final String JSONL = """
            {"text": "first document", "meta": {"pile_set_name": "alpha"}}
            {"text": "second 😀 document", "meta": {"pile_set_name": "beta"}}

            {"text": "third, no meta"}
            """;

    @TempDir
    Path dir;

    private final StringWriter log = new StringWriter();

    private List<Document> read(boolean strict, Path... roots) {
        return read(new BadRecords(strict, new PrintWriter(log, true)), roots);
    }

    private static List<Document> read(BadRecords bad, Path... roots) {
        List<Document> docs = new ArrayList<>();
        new CorpusReader(List.of(roots), bad).read(d -> docs.add(d));
        return docs;
    }

    private Path write(String name, byte[] bytes, Function<OutputStream, OutputStream> compress) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        try (OutputStream out = compress.apply(Files.newOutputStream(file))) {
            out.write(bytes);
        }
        return file;
    }

    private static OutputStream wrap(IOFunction f, OutputStream out) {
        try {
            return f.apply(out);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    interface IOFunction {
        OutputStream apply(OutputStream out) throws IOException;
    }

    private void assertJsonl(List<Document> docs, String file) {
        assertEquals(3, docs.size());
        assertEquals("first document", docs.get(0).text());
        assertEquals(new Origin(file, 1, "alpha"), docs.get(0).origin());
        assertEquals("second 😀 document", docs.get(1).text());
        assertEquals(new Origin(file, 2, "beta"), docs.get(1).origin());
        assertEquals(new Origin(file, 4, null), docs.get(2).origin()); // the blank line 3 is no record
    }

    @Test
    void jsonLinesPlainAndEveryCompression() throws IOException {
        byte[] bytes = JSONL.getBytes(StandardCharsets.UTF_8);
        assertJsonl(read(false, write("a.jsonl", bytes, o -> o)), "a.jsonl");
        assertJsonl(read(false, write("a.jsonl.gz", bytes, o -> wrap(GzipCompressorOutputStream::new, o))), "a.jsonl.gz");
        assertJsonl(read(false, write("a.jsonl.zst", bytes, o -> wrap(ZstdCompressorOutputStream::new, o))), "a.jsonl.zst");
        assertJsonl(read(false, write("a.jsonl.xz", bytes, o -> wrap(XZCompressorOutputStream::new, o))), "a.jsonl.xz");
        assertJsonl(read(false, write("a.jsonl.bz2", bytes, o -> wrap(BZip2CompressorOutputStream::new, o))), "a.jsonl.bz2");
        assertEquals("", log.toString());
    }

    @Test
    void crlfLineEndingsAreAccepted() throws IOException {
        Path file = write("crlf.jsonl", JSONL.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8), o -> o);
        assertJsonl(read(false, file), "crlf.jsonl");
    }

    @Test
    void directoriesAreRecursiveAndSortedWithPathsRelativeToTheRoot() throws IOException {
        Path root = dir.resolve("root");
        write("root/b/2.txt", "two\nlines".getBytes(StandardCharsets.UTF_8), o -> o);
        write("root/a.txt", "one".getBytes(StandardCharsets.UTF_8), o -> o);
        write("root/b/1.jsonl.gz", JSONL.getBytes(StandardCharsets.UTF_8), o -> wrap(GzipCompressorOutputStream::new, o));
        write("root/notes.pdf", new byte[] {1, 2, 3}, o -> o);
        CorpusReader reader = new CorpusReader(List.of(root), new BadRecords(false, new PrintWriter(log, true)));
        List<Document> docs = new ArrayList<>();
        reader.read(docs::add);
        assertEquals(List.of("a.txt", "b/1.jsonl.gz", "b/1.jsonl.gz", "b/1.jsonl.gz", "b/2.txt"),
                docs.stream().map(d -> d.origin().file()).toList());
        assertEquals(new Origin("a.txt", null, null), docs.get(0).origin());
        assertEquals("two\nlines", docs.get(4).text());
        assertEquals(List.of("notes.pdf (of no known kind)"), reader.skippedFiles());
        assertEquals(3, reader.files().size());
        assertEquals(64, reader.files().get(0).sha256().length());
    }

    @Test
    void tarArchivesPlainAndCompressed() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            addEntry(out, "docs/x.txt", "from tar".getBytes(StandardCharsets.UTF_8));
            addEntry(out, "docs/y.jsonl", JSONL.getBytes(StandardCharsets.UTF_8));
            addEntry(out, "docs/z.bin", new byte[] {0, 1});
        }
        List<Document> plain = read(false, write("c.tar", tar.toByteArray(), o -> o));
        assertEquals(4, plain.size());
        assertEquals(new Origin("c.tar/docs/x.txt", null, null), plain.get(0).origin());
        assertEquals("from tar", plain.get(0).text());
        assertEquals(new Origin("c.tar/docs/y.jsonl", 2, "beta"), plain.get(2).origin());
        List<Document> gz = read(false, write("c.tar.gz", tar.toByteArray(), o -> wrap(GzipCompressorOutputStream::new, o)));
        assertEquals(4, gz.size());
        assertEquals("c.tar.gz/docs/x.txt", gz.get(0).origin().file());
    }

    private static void addEntry(TarArchiveOutputStream out, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        out.putArchiveEntry(entry);
        out.write(bytes);
        out.closeArchiveEntry();
    }

    @Test
    void everyKindOfBadRecordIsReportedWithFileAndLineSkippedAndCounted() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("""
                {"text": "good one"}
                {"text": "broken
                {"meta": {"pile_set_name": "x"}}
                {"text": 42}
                [1, 2]
                """.getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        bytes.writeBytes("{\"text\": \"lone \\ud800 surrogate\"}\n{\"text\": \"good two\"}\n".getBytes(StandardCharsets.UTF_8));
        Path file = write("bad.jsonl", bytes.toByteArray(), o -> o);
        BadRecords bad = new BadRecords(false, new PrintWriter(log, true));
        List<Document> docs = read(bad, file);
        assertEquals(List.of("good one", "good two"), docs.stream().map(Document::text).toList());
        assertEquals(6, bad.count());
        String out = log.toString();
        assertTrue(out.contains("bad.jsonl:2: broken JSON"), out);
        assertTrue(out.contains("bad.jsonl:3: no \"text\" field"), out);
        assertTrue(out.contains("bad.jsonl:4: \"text\" is not a string"), out);
        assertTrue(out.contains("bad.jsonl:5: not a JSON object"), out);
        assertTrue(out.contains("bad.jsonl:6: invalid UTF-8"), out);
        assertTrue(out.contains("bad.jsonl:7: \"text\" holds an unpaired surrogate"), out);
    }

    @Test
    void invalidUtf8InATextFileNamesTheLine() throws IOException {
        byte[] bytes = {'o', 'k', '\n', 'f', 'i', 'n', 'e', '\n', 'b', 'a', (byte) 0xFF, 'd'};
        Path file = write("t.txt", bytes, o -> o);
        BadRecords bad = new BadRecords(false, new PrintWriter(log, true));
        assertEquals(0, read(bad, file).size());
        assertEquals(1, bad.count());
        assertTrue(log.toString().contains("t.txt:3: invalid UTF-8"), log.toString());
    }

    @Test
    void strictStopsAtTheFirstBadRecord() throws IOException {
        Path file = write("s.jsonl", "{\"text\": \"ok\"}\nnot json\n{\"text\": \"never read\"}\n".getBytes(StandardCharsets.UTF_8), o -> o);
        List<Document> docs = new ArrayList<>();
        CorpusReader reader = new CorpusReader(List.of(file), new BadRecords(true, new PrintWriter(log, true)));
        CorpusException e = assertThrows(CorpusException.class, () -> reader.read(docs::add));
        assertTrue(e.getMessage().contains("s.jsonl:2"), e.getMessage());
        assertEquals(1, docs.size());
    }

    @Test
    void aMissingOrUnknownPathFailsBeforeAnyWork() throws IOException {
        BadRecords bad = new BadRecords(false, new PrintWriter(log, true));
        CorpusException missing = assertThrows(CorpusException.class,
                () -> new CorpusReader(List.of(dir.resolve("nope.jsonl")), bad));
        assertTrue(missing.getMessage().contains("nope.jsonl"), missing.getMessage());
        Path pdf = write("x.pdf", new byte[] {1}, o -> o);
        CorpusException unknown = assertThrows(CorpusException.class, () -> new CorpusReader(List.of(pdf), bad));
        assertTrue(unknown.getMessage().contains("x.pdf"), unknown.getMessage());
    }

    @Test
    void stoppingEarlyStillChecksumsTheWholeFile() throws IOException {
        Path file = write("stop.jsonl", JSONL.getBytes(StandardCharsets.UTF_8), o -> o);
        CorpusReader reader = new CorpusReader(List.of(file), new BadRecords(false, new PrintWriter(log, true)));
        List<Document> docs = new ArrayList<>();
        boolean finished = reader.read(d -> docs.add(d) && docs.size() < 2);
        assertEquals(false, finished);
        assertEquals(2, docs.size());
        CorpusFile f = reader.files().get(0);
        assertEquals(false, f.complete());
        CorpusReader full = new CorpusReader(List.of(file), new BadRecords(false, new PrintWriter(log, true)));
        full.read(d -> true);
        assertEquals(full.files().get(0).sha256(), f.sha256());
    }
}
