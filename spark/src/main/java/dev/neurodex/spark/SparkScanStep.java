package dev.neurodex.spark;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.aggregate.ModelAggregate;
import dev.neurodex.build.BuildConfig;
import dev.neurodex.build.ScanStep;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.scan.Checkpoint;
import dev.neurodex.scan.CheckpointPolicy;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import dev.neurodex.corpus.CorpusFile;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The scan as a Spark job: the corpus's files in contiguous parts, a counting pass that says where each part
 * starts in the whole (documents, windows, tokens), then each part scanned into the mergeable state on an
 * executor, and the states merged with treeReduce. Windows are numbered as a local scan numbers them, so ties,
 * samples and every record come out as a local build's.
 */
public final class SparkScanStep implements ScanStep {
    private final JavaSparkContext spark;
    private final BuildConfig build;
    private final int parts;
    private final PrintWriter log;
    private PartJob job; // the last scan's: what executors load, and what writing pages there needs again

    /** @param parts how many parts the corpus's files are split into (at most one per file) */
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
        List<PartJob.Part> starts = counted.parts(parts);
        log.printf("spark: %,d files, %,d documents, %,d windows in %d parts%n", names.size(), counted.documents(),
                counted.windows(), starts.size());
        // Merged group by group (layer by layer), each on some executor: no task holds every group's state, and the
        // driver takes them in one at a time.
        int groups = model.units().size();
        PartJob.Counts r = null;
        LayerAggregate[] merged = new LayerAggregate[groups];
        double mergeSeconds = 0;
        JavaPairRDD<Integer, PartJob.Piece> reduced = spark.parallelize(starts, starts.size()).flatMapToPair(job::scan)
                .reduceByKey(PartJob.Piece::merge, groups + 1).persist(StorageLevel.MEMORY_AND_DISK());
        reduced.count(); // every group merged at once, on the executors; then fetched one at a time
        java.util.Iterator<scala.Tuple2<Integer, PartJob.Piece>> pieces = reduced.toLocalIterator();
        while (pieces.hasNext()) {
            scala.Tuple2<Integer, PartJob.Piece> piece = pieces.next();
            if (piece._1() < 0) {
                r = piece._2().counts();
            } else {
                merged[piece._1()] = piece._2().group();
                mergeSeconds += piece._2().mergeSeconds();
            }
        }
        reduced.unpersist(false);
        log.printf(java.util.Locale.ROOT, "spark: %d groups of %d parts' states merged in %.1f s of executor time%n",
                groups, starts.size(), mergeSeconds);
        if (r.documents() != counted.documents()) {
            throw new IllegalStateException("the parts read " + r.documents() + " documents where counting found "
                    + counted.documents() + ": did the corpus change during the build?");
        }
        corpus.absorb(counted.files(), List.of());
        bad.add(r.badRecords());
        progress.update(r.documents(), r.tokens(), corpus.totalBytes());
        return new ScanResult(ModelAggregate.of(java.util.Arrays.asList(merged)), r.documents(), r.windows(), r.tokens(),
                (System.nanoTime() - started) / 1e9,
                new ScanResult.Phases(r.forward(), r.aggregate(), r.waiting(), r.positions()));
    }

    /**
     * What the counting pass found, in reading order: the files, and every document's windows and content tokens.
     * A scan with a budget stops at the document where the tokens reach it, as a local scan does.
     */
    record Corpus(List<CorpusFile> listed, int[] fileDocuments, int[] windowsOf, int[] tokensOf, long budget) {
        Corpus(List<PartJob.Count> counts, long budget) {
            this(counts.stream().flatMap(c -> c.files().stream()).map(PartJob::file).toList(),
                    counts.stream().flatMap(c -> c.files().stream()).map(PartJob::file)
                            .mapToInt(f -> Math.toIntExact(f.documents())).toArray(),
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

        long windows() {
            return java.util.Arrays.stream(windowsOf, 0, (int) documents()).asLongStream().sum();
        }

        /** The files as a local scan lists them: those it reached, the last cut short if the budget ended it there. */
        List<CorpusFile> files() {
            long read = documents();
            boolean stopped = read < tokensOf.length || budget > 0 && java.util.Arrays.stream(tokensOf).asLongStream()
                    .sum() >= budget;
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
         * The documents cut into about {@code n} parts of equal tokens. A part starts reading at the file of the
         * document before its first, so that it meets the bad records between the two parts' documents.
         */
        List<PartJob.Part> parts(int n) {
            long documents = documents();
            long tokens = java.util.Arrays.stream(tokensOf, 0, (int) documents).asLongStream().sum();
            List<Long> cuts = new ArrayList<>(List.of(0L));
            long before = 0;
            for (int d = 0; d < documents; d++) {
                if (d > 0 && before >= tokens * cuts.size() / n && cuts.size() < n) {
                    cuts.add((long) d);
                }
                before += tokensOf[d];
            }
            List<PartJob.Part> out = new ArrayList<>();
            int file = 0;
            long fileStart = 0; // documents before file
            long order = 0;
            long done = 0;
            int d = 0;
            for (int i = 0; i < cuts.size(); i++) {
                long from = cuts.get(i);
                long to = i + 1 < cuts.size() ? cuts.get(i + 1) : Long.MAX_VALUE;
                while (file < fileDocuments.length - 1 && fileStart + fileDocuments[file] < from) {
                    fileStart += fileDocuments[file++]; // the file of document from - 1 (0 of the first)
                }
                for (; d < from; d++) {
                    order += windowsOf[d];
                    done += tokensOf[d];
                }
                out.add(new PartJob.Part(i, from == 0 ? 0 : file, from == 0 ? 0 : fileStart, from, to, order, done));
            }
            return out;
        }
    }
}
