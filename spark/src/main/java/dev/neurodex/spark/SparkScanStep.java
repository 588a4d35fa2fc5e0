package dev.neurodex.spark;

import dev.neurodex.aggregate.ModelAggregate;
import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.ScanStep;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusFile;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.scan.Checkpoint;
import dev.neurodex.scan.CheckpointPolicy;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.Scanner;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The scan as a Spark job: a counting pass tokenizes the corpus (its files in contiguous ranges, a task each) and
 * cuts its windows into parts at pool boundaries, each knowing where it starts in the whole (documents, windows,
 * tokens); each part is scanned into the mergeable state on an executor, and the states are merged group by group
 * (layer by layer) with reduceByKey. Windows are numbered and batched as a local scan numbers and batches them, so
 * activations, ties, samples and every record come out as a local build's.
 */
public final class SparkScanStep implements ScanStep {
    private final JavaSparkContext spark;
    private final BuildConfig build;
    private final int parts;
    private final PrintWriter log;
    private PartJob job; // the last scan's: what executors load, and what writing pages there needs again
    private JavaPairRDD<Integer, PartJob.Piece> merged; // the last scan's merged groups, kept on the executors

    /** @param parts how many parts the corpus is cut into (fewer if it holds fewer pools of windows) */
    public SparkScanStep(JavaSparkContext spark, BuildConfig build, int parts, PrintWriter log) {
        if (parts < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + parts);
        }
        this.spark = spark;
        this.build = build;
        this.parts = parts;
        this.log = log;
    }

    /** The executors' job of the last scan (their model and tokenizer), or null before one. */
    PartJob job() {
        return job;
    }

    @Override
    public ScanResult scan(TappedModel model, WindowTokenizer tokenizer, ScanConfig config, CorpusReader corpus,
                           BadRecords bad, ScanProgress progress, CheckpointPolicy checkpoints, Checkpoint from) {
        if (from != null || checkpoints != CheckpointPolicy.NONE) {
            throw new IllegalArgumentException("--checkpoint-every and --resume are for local builds: Spark reruns a "
                    + "failed part itself");
        }
        long started = System.nanoTime();
        PartJob job = PartJob.of(build, config);
        this.job = job;
        List<String> names = corpus.readableFiles();
        int tasks = Math.max(1, Math.min(parts, names.size()));
        List<int[]> fileRanges = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            fileRanges.add(new int[] {(int) ((long) names.size() * i / tasks), (int) ((long) names.size() * (i + 1) / tasks)});
        }
        Corpus counted = new Corpus(spark.parallelize(fileRanges, tasks).map(r -> job.count(r[0], r[1])).collect(),
                config.maxTokens());
        List<PartJob.Part> starts = counted.parts(parts, Scanner.poolWindows(config.batchSize()));
        log.printf("spark: %,d files, %,d documents, %,d windows in %d parts%n", names.size(), counted.documents(),
                counted.windows(), starts.size());
        // Merged group by group (layer by layer), each on some executor, where the merged groups stay: the build
        // fetches one at a time as it writes the group's pages, so no machine holds every group's state at once.
        if (merged != null) {
            merged.unpersist(false); // the last scan's
        }
        int groups = model.units().size();
        JavaPairRDD<Integer, PartJob.Piece> reduced = spark.parallelize(starts, starts.size()).flatMapToPair(job::scan)
                .reduceByKey(PartJob.Piece::merge, groups + 1).persist(StorageLevel.MEMORY_AND_DISK());
        merged = reduced;
        reduced.count(); // every group merged at once
        PartJob.Counts r = reduced.lookup(-1).get(0).counts();
        double mergeSeconds = reduced.values().map(PartJob.Piece::mergeSeconds).reduce(Double::sum);
        log.printf(java.util.Locale.ROOT, "spark: %d groups of %d parts' states merged in %.1f s of executor time%n",
                groups, starts.size(), mergeSeconds);
        if (r.tokens() != counted.tokens()) {
            throw new IllegalStateException("the parts scanned " + r.tokens() + " tokens where counting found "
                    + counted.tokens() + ": did the corpus change during the build?");
        }
        corpus.absorb(counted.files(), List.of());
        bad.add(r.badRecords());
        progress.update(counted.documents(), r.tokens(), corpus.totalBytes());
        // Parts cut inside a document both read it: the documents are the counting pass's.
        ModelAggregate state = ModelAggregate.fetched(groups, g -> reduced.lookup(g).get(0).group());
        return new ScanResult(state, counted.documents(), r.windows(), r.tokens(),
                (System.nanoTime() - started) / 1e9,
                new ScanResult.Phases(r.forward(), r.aggregate(), r.waiting(), r.positions()));
    }

    /**
     * What the counting pass found, in reading order: the files, and every document's windows and content tokens.
     * A scan with a budget stops at the document where the tokens reach it, as a local scan does.
     */
    record Corpus(List<CorpusFile> listed, int[] windowsOf, int[] tokensOf, long budget) {
        Corpus(List<PartJob.Count> counts, long budget) {
            this(counts.stream().flatMap(c -> c.files().stream()).toList(),
                    counts.stream().flatMapToInt(c -> java.util.Arrays.stream(c.windows())).toArray(),
                    counts.stream().flatMapToInt(c -> java.util.Arrays.stream(c.tokens())).toArray(), budget);
        }

        /** Documents a scan reads: all, or up to the one that reaches the budget. */
        long documents() {
            long tokens = 0;
            for (int d = 0; d < tokensOf.length; d++) {
                tokens += tokensOf[d];
                if (budget > 0 && tokens >= budget) {
                    return d + 1;
                }
            }
            return tokensOf.length;
        }

        /** Content tokens a scan reads: all, or as many as the budget. */
        long tokens() {
            long all = java.util.Arrays.stream(tokensOf).asLongStream().sum();
            return budget > 0 ? Math.min(all, budget) : all;
        }

        long windows() {
            return java.util.Arrays.stream(windowsOf, 0, (int) documents()).asLongStream().sum();
        }

        /** The files as a local scan lists them: those it reached, the last cut short if the budget ended it there. */
        List<CorpusFile> files() {
            long read = documents();
            boolean stopped = budget > 0 && java.util.Arrays.stream(tokensOf).asLongStream().sum() >= budget;
            List<CorpusFile> out = new ArrayList<>();
            long before = 0;
            for (CorpusFile f : listed) {
                if (stopped && before + f.documents() >= read && f.documents() > 0) {
                    out.add(new CorpusFile(f.path(), f.bytes(), f.sha256(), read - before, false));
                    break;
                }
                out.add(f);
                before += f.documents();
            }
            return out;
        }

        /**
         * The windows cut into about {@code n} parts of equal windows, at pool boundaries (so that every window runs
         * in the batch it runs in locally). A part reads from the document holding its first window to the one
         * holding its last, and at least up to the next part's first document: it reports the bad records before
         * that one. It starts reading at the file of the document before its first, where such records may lie.
         */
        List<PartJob.Part> parts(int n, long pool) {
            int documents = (int) documents();
            long[] windowsBefore = new long[documents + 1];
            long[] tokensBefore = new long[documents + 1];
            for (int d = 0; d < documents; d++) {
                windowsBefore[d + 1] = windowsBefore[d] + windowsOf[d];
                tokensBefore[d + 1] = tokensBefore[d] + tokensOf[d];
            }
            long windows = windowsBefore[documents];
            List<Long> cuts = new ArrayList<>(List.of(0L));
            for (int i = 1; i < n; i++) {
                long cut = Math.round((double) windows * i / n / pool) * pool;
                if (cut > cuts.get(cuts.size() - 1) && cut < windows) {
                    cuts.add(cut);
                }
            }
            int[] first = new int[cuts.size()]; // the document holding each part's first window
            for (int i = 1; i < cuts.size(); i++) {
                first[i] = documentOf(windowsBefore, cuts.get(i));
            }
            List<PartJob.Part> out = new ArrayList<>();
            for (int i = 0; i < cuts.size(); i++) {
                boolean last = i + 1 == cuts.size();
                long to = last ? Long.MAX_VALUE : Math.max(first[i + 1], documentOf(windowsBefore, cuts.get(i + 1) - 1) + 1);
                int from = first[i];
                int file = 0;
                long fileStart = 0; // documents before file
                while (from > 0 && file < listed.size() - 1 && fileStart + listed.get(file).documents() < from) {
                    fileStart += listed.get(file++).documents(); // the file of document from - 1
                }
                out.add(new PartJob.Part(i, file, fileStart, from, to, last ? Long.MAX_VALUE : first[i + 1],
                        windowsBefore[from], tokensBefore[from], cuts.get(i), last ? Long.MAX_VALUE : cuts.get(i + 1)));
            }
            return out;
        }

        /** The document holding window {@code order}. */
        private static int documentOf(long[] windowsBefore, long order) {
            int d = java.util.Arrays.binarySearch(windowsBefore, order);
            if (d < 0) {
                return -d - 2; // windowsBefore[d] < order < windowsBefore[d + 1]
            }
            while (d + 1 < windowsBefore.length && windowsBefore[d + 1] == order) {
                d++; // documents without windows hold none of them
            }
            return d;
        }
    }
}
