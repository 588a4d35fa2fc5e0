package dev.neurodex.spark;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.build.BuildConfig;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusFile;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.corpus.DocumentRange;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.Scanner;
import dev.neurodex.tokenize.Probe;
import dev.neurodex.tokenize.Window;
import org.apache.spark.TaskContext;
import scala.Tuple2;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a task needs to redo the build's scan on one part of the corpus, as plain serializable values: the model
 * and corpus by path (every executor reads them itself; no weights pass through the driver) and the options; the
 * part itself is a {@link Part}. A task's result is a pure function of these, so Spark may retry or duplicate it.
 */
record PartJob(String model, String name, String hookRegex, List<String> corpus, int maxLineBytes, int maxDocumentChars,
               long maxFileBytes, int maxTarNameBytes, boolean followSymlinks, int context, int topK, int batchSize,
               long maxTokens, int keep, List<String> probes, int threads, String hook, List<String> saes,
               boolean strict) implements Serializable {

    /**
     * A system property naming a part whose first attempt fails after its scan: what a lost executor does to a
     * task, so that a test can see Spark's retry give the same site.
     */
    static final String FAIL_ONCE = "neurodex.spark.failOnce";

    static PartJob of(BuildConfig build, ScanConfig scan) {
        CorpusLimits l = build.limits();
        return new PartJob(build.model(), build.name(), build.hookRegex(), build.corpus().stream().map(Path::toString).toList(),
                l.maxLineBytes(), l.maxDocumentChars(), l.maxFileBytes(), l.maxTarNameBytes(), l.followSymlinks(),
                scan.context(), scan.topK(), scan.batchSize(), scan.maxTokens(), scan.keep(),
                scan.probes().stream().map(Probe::spec).toList(), build.threads(), build.hook().suffix(),
                build.saes().stream().map(Path::toString).toList(), build.strict());
    }

    /**
     * Windows [fromOrder, toOrder) of the corpus (whole pools), read as documents [from, to) from file
     * {@code fromFile} (after {@code documentsBefore} documents), reporting the bad records before document
     * {@code reportTo}; {@code order} windows and {@code tokens} content tokens come before document {@code from}.
     */
    record Part(int index, int fromFile, long documentsBefore, long from, long to, long reportTo, long order,
                long tokens, long fromOrder, long toOrder) implements Serializable {
        DocumentRange range() {
            return new DocumentRange(fromFile, documentsBefore, from, to, reportTo);
        }

        Scanner.PartStart start() {
            return new Scanner.PartStart(from, order, tokens, fromOrder, toOrder);
        }
    }

    /**
     * What counting some files found: each file as the manifest lists it, and each document's windows and content
     * tokens, in reading order.
     */
    record Count(List<CorpusFile> files, int[] windows, int[] tokens) implements Serializable {}

    CorpusLimits limits() {
        return new CorpusLimits(maxLineBytes, maxDocumentChars, maxFileBytes, maxTarNameBytes, followSymlinks);
    }

    ScanConfig scanConfig() {
        return new ScanConfig(context, topK, batchSize, maxTokens, keep, probes.stream().map(Probe::parse).toList());
    }

    /** Bad records of a task go to its executor's log, as a local build prints them. */
    BadRecords bad() {
        return new BadRecords(strict, new PrintWriter(System.err, true));
    }

    CorpusReader reader(BadRecords bad) {
        return new CorpusReader(corpus.stream().map(Path::of).toList(), limits(), bad);
    }

    /**
     * The documents of files [from, to), tokenized as the scan will cut them, with the files' checksums. Bad records
     * are left to the scan, which reports each in the part that holds it.
     */
    Count count(int from, int to) {
        return ExecutorModels.with(this, m -> count(m, from, to));
    }

    private Count count(ExecutorModels.Loaded m, int from, int to) {
        int width = m.loaded().model().frame().contentTokens(context);
        IntStream.Builder windows = IntStream.builder();
        IntStream.Builder tokens = IntStream.builder();
        long[] total = {0, 0}; // tokens, documents
        CorpusReader files = reader(new BadRecords(false, new PrintWriter(OutputStream.nullOutputStream())))
                .slice(from, to, new BadRecords(false, new PrintWriter(OutputStream.nullOutputStream())));
        files.read(doc -> {
            List<Window> w = m.tokenizer().windows(doc, ++total[1], width, 0, List.of());
            int n = w.stream().mapToInt(Window::length).sum();
            windows.add(w.size());
            tokens.add(n);
            total[0] += n;
            return maxTokens == 0 || total[0] < maxTokens; // these files alone reach the budget: the scan ends here
        });
        return new Count(files.files(), windows.build().toArray(), tokens.build().toArray());
    }

    /**
     * The scan of one part, its documents and windows numbered as in a scan of the whole corpus: its counts under
     * key -1, then each group's state (a layer's neurons, an SAE's latents) under the group's index, serialized
     * one group at a time as Spark takes them, so that no array holds the whole state (GPT-2-medium's is 1.5 GB).
     */
    Iterator<Tuple2<Integer, Piece>> scan(Part p) {
        BadRecords bad = bad();
        CorpusReader part = reader(bad).range(p.range(), bad);
        ScanResult r = ExecutorModels.with(this, m -> {
            try {
                return new Scanner(m.tapped(), m.tokenizer(), scanConfig())
                        .scanPart(part, p.start());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        });
        if (Integer.getInteger(FAIL_ONCE, -1) == p.index() && TaskContext.get() != null
                && TaskContext.get().attemptNumber() == 0) {
            throw new IllegalStateException("part " + p.index() + " failed on purpose (" + FAIL_ONCE + ")");
        }
        // A line per finished part, in the executor's log (the console in local mode).
        System.err.printf(java.util.Locale.ROOT, "neurodex: part %d done: %,d documents, %,d tokens in %.1f s%n",
                p.index(), r.documents(), r.tokens(), r.seconds());
        Counts counts = new Counts(r.windows(), r.tokens(), r.seconds(), r.phases().forward(),
                r.phases().aggregate(), r.phases().waitingForReader(), r.phases().positions(), bad.count());
        List<LayerAggregate> groups = r.aggregate().layers();
        long[] bytes = {0};
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(new Tuple2<>(-1, Piece.of(counts))),
                IntStream.range(0, groups.size()).mapToObj(g -> {
                    Piece piece = Piece.of(groups.get(g));
                    bytes[0] += piece.state().length;
                    if (g == groups.size() - 1) {
                        System.err.printf(java.util.Locale.ROOT, "neurodex: part %d handed on its state: %.1f MB in %d "
                                + "groups%n", p.index(), bytes[0] / 1e6, groups.size());
                    }
                    return new Tuple2<>(g, piece);
                })).iterator();
    }

    /**
     * A part's counts and timings, or the sum of several parts' (not documents: parts cut inside a document both
     * read it).
     */
    record Counts(long windows, long tokens, double seconds, double forward, double aggregate, double waiting,
                  long positions, long badRecords) implements Serializable {
        Counts plus(Counts o) {
            return new Counts(windows + o.windows, tokens + o.tokens, seconds + o.seconds,
                    forward + o.forward, aggregate + o.aggregate, waiting + o.waiting, positions + o.positions,
                    badRecords + o.badRecords);
        }
    }

    /**
     * What parts hand on under one key: one group's state, serialized as checkpoints are, or (no state) their
     * counts; with the seconds spent merging it.
     */
    record Piece(byte[] state, Counts counts, double mergeSeconds) implements Serializable {
        static Piece of(Counts counts) {
            return new Piece(null, counts, 0);
        }

        static Piece of(LayerAggregate group) {
            return new Piece(StateBytes.of(group::write), null, 0);
        }

        LayerAggregate group() {
            return StateBytes.read(state, LayerAggregate::read);
        }

        /** Two pieces of one key as one: states merged (in any order: merging is exact), counts added. */
        static Piece merge(Piece a, Piece b) {
            if (a.state == null) {
                return new Piece(null, a.counts.plus(b.counts), 0);
            }
            long started = System.nanoTime();
            LayerAggregate merged = a.group();
            merged.merge(b.group());
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Piece(StateBytes.of(merged::write), null, a.mergeSeconds + b.mergeSeconds + seconds);
        }
    }
}
