package dev.neurodex.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

    /** One record per line: text after the object is an error, not silently dropped. */
    private static final ObjectReader RECORD = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final List<Path> roots;
    private final CorpusLimits limits;
    private final BadRecords bad;
    private final AtomicLong bytesRead = new AtomicLong();
    private final List<CorpusFile> files = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private int fromFile = 0; // the part of the corpus read: its files [fromFile, toFile) in reading order
    private int toFile = Integer.MAX_VALUE;
    private DocumentRange range; // null: every document of those files
    private long position; // documents met so far, numbered as in a read of the whole corpus

    /** Checks every root up front, so that a typo fails before any work starts. */
    public CorpusReader(List<Path> roots, BadRecords bad) {
        this(roots, CorpusLimits.DEFAULT, bad);
    }

    public CorpusReader(List<Path> roots, CorpusLimits limits, BadRecords bad) {
        if (roots.isEmpty()) {
            throw new CorpusException("no corpus given");
        }
        for (Path root : roots) {
            CorpusFiles.checkRoot(root);
            if (Files.isRegularFile(root) && FileKind.of(Compression.of(name(root)).stripped(name(root))) == FileKind.UNKNOWN) {
                throw new CorpusException("corpus file " + root + " is of no known kind (expected .jsonl, .txt or .tar, "
                        + "optionally compressed .gz .zst .xz .bz2)");
            }
        }
        this.roots = List.copyOf(roots);
        this.limits = limits;
        this.bad = bad;
    }

    /**
     * A reader of files [from, to) of this corpus, in the same reading order and with the same names (relative to
     * the same roots): a part a distributed scan reads on its own.
     */
    public CorpusReader slice(int from, int to, BadRecords partBad) {
        CorpusReader part = new CorpusReader(roots, limits, partBad);
        part.fromFile = from;
        part.toFile = to;
        return part;
    }

    /**
     * A reader of the documents {@code range} says, numbered and cut as a read of the whole corpus cuts them: the
     * part of a distributed scan that may start or end inside a file (a line of JSON Lines, a piece of a text file,
     * a member of a tar). It reads from the range's first file, passing over the documents before the range
     * without handing them on; a bad record is reported by the range that holds the next document, so that parts
     * report each once. It records no files: a part may read a file only in part.
     */
    public CorpusReader range(DocumentRange range, BadRecords partBad) {
        CorpusReader part = slice(range.fromFile(), Integer.MAX_VALUE, partBad);
        part.range = range;
        return part;
    }

    /** The names of the files a whole read reads, in its order (what {@link #slice} counts). */
    public List<String> readableFiles() {
        List<String> out = new ArrayList<>();
        forEachFile((path, label) -> out.add(label));
        return out;
    }

    /** Takes in what parts of this corpus read elsewhere: their files (in corpus order) and skips. */
    public void absorb(List<CorpusFile> partFiles, List<String> partSkipped) {
        files.addAll(partFiles);
        partSkipped.stream().filter(s -> !skipped.contains(s)).forEach(skipped::add);
    }

    /** Bytes of the corpus files on disk, for progress and ETA. */
    public long totalBytes() {
        return roots.stream().flatMap(this::filesUnder).mapToLong(p -> {
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
        return roots.stream().flatMap(this::filesUnder).map(p -> {
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

    /**
     * What corpus directories held that was not read, each with why: files of no known kind, symbolic links,
     * FIFOs, devices and sockets.
     */
    public List<String> skippedFiles() {
        return List.copyOf(skipped);
    }

    /** Reads every document in order into {@code sink}; returns false if the sink stopped early. */
    public boolean read(DocumentSink sink) {
        int[] index = {0};
        position = range == null ? 0 : range.documentsBefore();
        DocumentSink counted = doc -> {
            long p = position++;
            if (range == null) {
                return sink.accept(doc);
            }
            return p >= range.to() ? false : p < range.from() || sink.accept(doc);
        };
        return forEachFile((path, label) -> {
            int i = index[0]++;
            return i < fromFile || i >= toFile || readFile(path, label, counted);
        });
    }

    /** A bad record, reported unless it lies outside this reader's range (another part reports it). */
    private void report(String where, String reason) {
        if (range == null || position >= range.from() && position < range.reportTo()) {
            bad.report(where, reason);
        }
    }

    /** A file of the corpus in reading order; false stops the walk. */
    private interface FileVisitor {
        boolean visit(Path path, String label);
    }

    /** Visits the readable files of every root in reading order, noting what is skipped; false if stopped. */
    private boolean forEachFile(FileVisitor visitor) {
        skipped.clear();
        for (Path root : roots) {
            Path base = Files.isDirectory(root) ? root : root.getParent();
            CorpusFiles listed = CorpusFiles.under(root, limits.followSymlinks());
            listed.skipped().forEach(s -> skipped.add(s));
            for (Path path : listed.files()) {
                String label = base == null ? path.toString() : CorpusFiles.relative(base, path);
                if (Files.isDirectory(root) && kindOf(label) == FileKind.UNKNOWN) {
                    skipped.add(label + " (of no known kind)");
                    continue;
                }
                if (!visitor.visit(path, label)) {
                    return false;
                }
            }
        }
        return true;
    }

    private Stream<Path> filesUnder(Path root) {
        return CorpusFiles.under(root, limits.followSymlinks()).files().stream();
    }

    private boolean readFile(Path path, String label, DocumentSink sink) {
        MessageDigest sha = DigestUtils.getSha256Digest();
        long[] documents = {0};
        DocumentSink counting = doc -> {
            documents[0]++;
            return sink.accept(doc);
        };
        boolean complete = true;
        LinkOption[] open = limits.followSymlinks() ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try (InputStream raw = new DigestInputStream(new CountingInputStream(Files.newInputStream(path, open), bytesRead), sha)) {
            try {
                complete = readStream(new BufferedInputStream(raw, 1 << 16), label, counting);
            } catch (IOException e) {
                // Damaged or oversized data: what was read stands, the rest of the file is skipped and counted.
                report(label, "rest of the file skipped after " + documents[0] + " documents: " + reason(e));
            }
            if (range != null) {
                return complete; // a range lists no files, so needs no checksum
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // finish the checksum of the whole file
        } catch (IOException e) {
            throw new CorpusException(label + ": cannot read (" + reason(e) + ")", e);
        }
        try {
            files.add(new CorpusFile(label, Files.size(path), HexFormat.of().formatHex(sha.digest()), documents[0], complete));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return complete;
    }

    /** An I/O failure as a user reads it: Commons Compress and java.util.zip often give no message at all. */
    static String reason(IOException e) {
        if (e instanceof LimitExceeded) {
            return e.getMessage();
        }
        if (e instanceof java.io.EOFException || (e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT)
                .contains("truncated"))) {
            return "unexpected end of data (a truncated file?)";
        }
        String m = e.getMessage();
        return "damaged data: " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
    }

    private boolean readStream(InputStream raw, String label, DocumentSink sink) throws IOException {
        Compression compression = Compression.of(label);
        InputStream in = new SizeLimit(compression.open(raw), limits.maxFileBytes());
        return switch (FileKind.of(compression.stripped(label))) {
            case JSON_LINES -> readJsonLines(in, label, sink);
            case TEXT -> readText(in, label, sink);
            case TAR -> readTar(in, label, sink);
            case UNKNOWN -> true;
        };
    }

    private boolean readTar(InputStream in, String label, DocumentSink sink) throws IOException {
        TarHeaderBudget budget = new TarHeaderBudget(in, limits.maxTarNameBytes());
        TarArchiveInputStream tar = new TarArchiveInputStream(budget);
        while (true) {
            budget.arm();
            TarArchiveEntry entry = tar.getNextEntry();
            budget.disarm();
            if (entry == null) {
                return true;
            }
            String member = label + "/" + entry.getName();
            if (!entry.isFile() || kindOf(member) == FileKind.UNKNOWN || kindOf(member) == FileKind.TAR) {
                tar.transferTo(java.io.OutputStream.nullOutputStream()); // outside the header budget
                continue;
            }
            // The member stream must not be closed: that would close the archive. Each member has its own size limit.
            try {
                if (!readStream(CloseShieldInputStream.wrap(tar), member, sink)) {
                    return false;
                }
            } catch (LimitExceeded e) {
                report(member, "rest of the member skipped: " + e.getMessage());
            }
            tar.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private boolean readJsonLines(InputStream in, String label, DocumentSink sink) throws IOException {
        ByteLines lines = new ByteLines(in, limits.maxLineBytes());
        for (int number = 1; lines.next(); number++) {
            String where = label + ":" + number;
            if (lines.tooLong()) {
                report(where, "line longer than " + Sizes.format(limits.maxLineBytes()) + " (--max-line-bytes)");
                continue;
            }
            int offset = number == 1 ? bomLength(lines.bytes(), lines.length()) : 0;
            if (isBlank(lines.bytes(), offset, lines.length())) {
                continue;
            }
            String json;
            try {
                json = Utf8.decode(lines.bytes(), offset, lines.length() - offset);
            } catch (Utf8.Invalid e) {
                report(where, e.getMessage());
                continue;
            }
            JsonNode node;
            try {
                node = RECORD.readTree(json);
            } catch (JsonProcessingException e) {
                report(where, e instanceof MismatchedInputException && e.getOriginalMessage().contains("Trailing")
                        ? "more text after the JSON object (two records on one line?)"
                        : "broken JSON (" + e.getOriginalMessage() + ")");
                continue;
            }
            if (node == null || !node.isObject()) {
                report(where, "not a JSON object");
                continue;
            }
            JsonNode text = node.get("text");
            if (text == null) {
                report(where, "no \"text\" field");
                continue;
            }
            if (!text.isTextual()) {
                report(where, "\"text\" is not a string");
                continue;
            }
            if (hasUnpairedSurrogate(text.asText())) {
                report(where, "\"text\" holds an unpaired surrogate escape (not valid Unicode)");
                continue;
            }
            JsonNode source = node.path("meta").path("pile_set_name");
            Origin origin = new Origin(label, number, source.isTextual() ? source.asText() : null);
            String s = text.asText();
            for (int from = 0; from < s.length() || from == 0; ) {
                int n = Pieces.cut(s, from, s.length(), limits.maxDocumentChars());
                if (!sink.accept(new Document(origin, s.substring(from, from + n)))) {
                    return false;
                }
                from += n;
                if (n == 0) {
                    break;
                }
            }
        }
        return true;
    }

    /** A text file is read in pieces of at most --max-document-chars, each a document that starts at its line. */
    private boolean readText(InputStream in, String label, DocumentSink sink) throws IOException {
        int max = limits.maxDocumentChars();
        int fill = max + 3 + 1; // a piece, a byte-order mark, and one byte to know whether more follows
        byte[] buffer = new byte[Math.min(fill, 1 << 16)];
        int length = 0;
        boolean eof = false;
        boolean first = true;
        boolean whole = false;
        int line = 1;
        while (true) {
            while (!eof && length < fill) {
                if (length == buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(fill, 2L * buffer.length));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    eof = true;
                } else {
                    length += n;
                }
            }
            int start = first ? bomLength(buffer, length) : 0;
            if (first) {
                whole = eof;
                first = false;
            }
            if (length - start == 0 && !whole) {
                return true;
            }
            int n = Pieces.cut(buffer, start, length, max);
            Origin origin = new Origin(label, whole ? null : line, null);
            try {
                if (!sink.accept(new Document(origin, Utf8.decode(buffer, start, n)))) {
                    return false;
                }
            } catch (Utf8.Invalid e) {
                report(label + ":" + (line + linesBefore(buffer, start, start + e.offset)), e.getMessage());
            }
            line += linesBefore(buffer, start, start + n);
            System.arraycopy(buffer, start + n, buffer, 0, length - start - n);
            length -= start + n;
            if (eof && length == 0) {
                return true;
            }
        }
    }

    /** The UTF-8 byte-order mark some editors put first: not part of the text. */
    private static int bomLength(byte[] b, int length) {
        return length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0;
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

    private static int linesBefore(byte[] bytes, int from, int to) {
        int lines = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                lines++;
            }
        }
        return lines;
    }

    private static boolean isBlank(byte[] bytes, int from, int length) {
        for (int i = from; i < length; i++) {
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
