package dev.neurodex.spark;

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
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

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

    @Override
    public ScanResult scan(TappedModel model, WindowTokenizer tokenizer, ScanConfig config, CorpusReader corpus,
                           BadRecords bad, ScanProgress progress, CheckpointPolicy checkpoints, Checkpoint from) {
        if (from != null || checkpoints != CheckpointPolicy.NONE) {
            throw new IllegalArgumentException("--checkpoint-every and --resume are for local builds: Spark reruns a "
                    + "failed part itself");
        }
        long started = System.nanoTime();
        PartJob job = PartJob.of(build, config);
        List<String> names = corpus.readableFiles();
        int files = names.size();
        int n = Math.max(1, Math.min(parts, files));
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranges.add(new int[] {(int) ((long) files * i / n), (int) ((long) files * (i + 1) / n)});
        }
        List<PartJob.Count> counts = spark.parallelize(ranges, n).map(r -> job.count(r[0], r[1])).collect();
        List<PartJob.Part> starts = new ArrayList<>();
        long documents = 0;
        long windows = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            // A part that starts past --max-tokens reads nothing, as a local scan stops before it.
            if (config.maxTokens() == 0 || tokens < config.maxTokens()) {
                starts.add(new PartJob.Part(i, ranges.get(i)[0], ranges.get(i)[1], documents, windows, tokens));
            }
            documents += counts.get(i).documents();
            windows += counts.get(i).windows();
            tokens += counts.get(i).tokens();
        }
        log.printf("spark: %,d files in %d parts, %,d documents, %,d windows%n", files, starts.size(), documents, windows);
        PartJob.Result r = spark.parallelize(starts, starts.size()).map(job::scan)
                .treeReduce(PartJob::merge);
        ModelAggregate aggregate = PartJob.read(r.state());
        // treeReduce pairs parts in no set order: the files go back to the corpus's.
        corpus.absorb(r.files().stream().map(PartJob::file)
                .sorted(java.util.Comparator.comparingInt(f -> names.indexOf(f.path()))).toList(), r.skipped());
        bad.add(r.badRecords());
        progress.update(r.documents(), r.tokens(), corpus.totalBytes());
        return new ScanResult(aggregate, r.documents(), r.windows(), r.tokens(), (System.nanoTime() - started) / 1e9,
                new ScanResult.Phases(r.forward(), r.aggregate(), r.waiting(), r.positions()));
    }
}
