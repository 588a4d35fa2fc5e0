package dev.neurodex.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;

/**
 * Streams the documents of a corpus in a fixed order, never holding more than one document:
 * JSON Lines ({@code text}, {@code meta.pile_set_name}) and plain text files, plain or compressed
 * (.gz .zst .xz .bz2), directories (recursive, sorted by path) and tar archives.
 */
public final class CorpusReader {
    // Documents may be far longer than Jackson's default limit of 20 M characters per string.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build());

    private final List<Path> roots;
    private final BadRecords bad;
    private final AtomicLong bytesRead = new AtomicLong();
    private final List<CorpusFile> files = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    /** Checks every root up front, so that a typo fails before any work starts. */
    public CorpusReader(List<Path> roots, BadRecords bad) {
        if (roots.isEmpty()) {
            throw new CorpusException("no corpus given");
        }
        for (Path root : roots) {
            if (!Files.exists(root)) {
                throw new CorpusException("corpus path does not exist: " + root);
            }
            if (!Files.isReadable(root)) {
                throw new CorpusException("corpus path is not readable: " + root);
            }
            if (Files.isRegularFile(root) && FileKind.of(Compression.of(name(root)).stripped(name(root))) == FileKind.UNKNOWN) {
                throw new CorpusException("corpus file " + root + " is of no known kind (expected .jsonl, .txt or .tar, "
                        + "optionally compressed .gz .zst .xz .bz2)");
            }
        }
        this.roots = List.copyOf(roots);
        this.bad = bad;
    }

    /** Bytes of the corpus files on disk, for progress and ETA. */
    public long totalBytes() {
        return roots.stream().flatMap(CorpusReader::filesUnder).mapToLong(p -> {
            try {
                return Files.size(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }

    /**
     * Each corpus file as "path size modified-time": enough to tell a resumed build that its corpus changed,
     * without reading it.
     */
    public List<String> fingerprint() {
        return roots.stream().flatMap(CorpusReader::filesUnder).map(p -> {
            try {
                return p.toAbsolutePath().normalize() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** Bytes of corpus files consumed so far (compressed size), updated while reading. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** The files read, with their checksums; complete once {@link #read} returned. */
    public List<CorpusFile> files() {
        return List.copyOf(files);
    }

    /** Files in corpus directories that were not of a known kind and so were left out. */
    public List<String> skippedFiles() {
        return List.copyOf(skipped);
    }

    /** Reads every document in order into {@code sink}; returns false if the sink stopped early. */
    public boolean read(DocumentSink sink) {
        for (Path root : roots) {
            Path base = Files.isDirectory(root) ? root : root.getParent();
            List<Path> paths = filesUnder(root).toList();
            for (Path path : paths) {
                String label = base == null ? path.toString() : base.relativize(path).toString().replace('\\', '/');
                if (Files.isDirectory(root) && kindOf(label) == FileKind.UNKNOWN) {
                    skipped.add(label);
                    continue;
                }
                if (!readFile(path, label, sink)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Stream<Path> filesUnder(Path root) {
        if (!Files.isDirectory(root)) {
            return Stream.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList().stream();
        } catch (IOException e) {
            throw new CorpusException("cannot list corpus directory " + root + ": " + e.getMessage(), e);
        }
    }

    private boolean readFile(Path path, String label, DocumentSink sink) {
        MessageDigest sha = DigestUtils.getSha256Digest();
        long[] documents = {0};
        DocumentSink counting = doc -> {
            documents[0]++;
            return sink.accept(doc);
        };
        boolean complete;
        try (InputStream raw = new DigestInputStream(new CountingInputStream(Files.newInputStream(path), bytesRead), sha)) {
            complete = readStream(new BufferedInputStream(raw, 1 << 16), label, counting);
            if (!complete) {
                raw.transferTo(java.io.OutputStream.nullOutputStream()); // finish the checksum of the whole file
            }
        } catch (IOException e) {
            throw new CorpusException(label + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            files.add(new CorpusFile(label, Files.size(path), HexFormat.of().formatHex(sha.digest()), documents[0], complete));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return complete;
    }

    private boolean readStream(InputStream raw, String label, DocumentSink sink) throws IOException {
        Compression compression = Compression.of(label);
        InputStream in = compression.open(raw);
        return switch (FileKind.of(compression.stripped(label))) {
            case JSON_LINES -> readJsonLines(in, label, sink);
            case TEXT -> readText(in, label, sink);
            case TAR -> readTar(in, label, sink);
            case UNKNOWN -> true;
        };
    }

    private boolean readTar(InputStream in, String label, DocumentSink sink) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
            String member = label + "/" + entry.getName();
            if (!entry.isFile() || kindOf(member) == FileKind.UNKNOWN || kindOf(member) == FileKind.TAR) {
                continue;
            }
            // The member stream must not be closed: that would close the archive.
            if (!readStream(CloseShieldInputStream.wrap(tar), member, sink)) {
                return false;
            }
        }
        return true;
    }

    private boolean readJsonLines(InputStream in, String label, DocumentSink sink) throws IOException {
        ByteLines lines = new ByteLines(in);
        for (int number = 1; lines.next(); number++) {
            if (isBlank(lines.bytes(), lines.length())) {
                continue;
            }
            String where = label + ":" + number;
            String json;
            try {
                json = Utf8.decode(lines.bytes(), lines.length());
            } catch (Utf8.Invalid e) {
                bad.report(where, e.getMessage());
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                bad.report(where, "broken JSON (" + e.getOriginalMessage() + ")");
                continue;
            }
            if (node == null || !node.isObject()) {
                bad.report(where, "not a JSON object");
                continue;
            }
            JsonNode text = node.get("text");
            if (text == null) {
                bad.report(where, "no \"text\" field");
                continue;
            }
            if (!text.isTextual()) {
                bad.report(where, "\"text\" is not a string");
                continue;
            }
            if (hasUnpairedSurrogate(text.asText())) {
                bad.report(where, "\"text\" holds an unpaired surrogate escape (not valid Unicode)");
                continue;
            }
            JsonNode source = node.path("meta").path("pile_set_name");
            Origin origin = new Origin(label, number, source.isTextual() ? source.asText() : null);
            if (!sink.accept(new Document(origin, text.asText()))) {
                return false;
            }
        }
        return true;
    }

    private boolean readText(InputStream in, String label, DocumentSink sink) throws IOException {
        byte[] bytes = in.readAllBytes();
        try {
            return sink.accept(new Document(new Origin(label, null, null), Utf8.decode(bytes, bytes.length)));
        } catch (Utf8.Invalid e) {
            bad.report(label + ":" + lineOf(bytes, e.offset), e.getMessage());
            return true;
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static FileKind kindOf(String name) {
        return FileKind.of(Compression.of(name).stripped(name));
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
