package dev.neurodex.build;

import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.scan.Checkpoint;
import dev.neurodex.scan.CheckpointPolicy;
import dev.neurodex.scan.ScanConfig;
import dev.neurodex.scan.ScanProgress;
import dev.neurodex.scan.ScanResult;
import dev.neurodex.scan.Scanner;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;

/**
 * How a build scans its corpus: in this process, or spread over a cluster (the Spark job), with the same result.
 * A step that reads the corpus elsewhere reports what it read into {@code corpus} ({@link CorpusReader#absorb})
 * and {@code bad}, which the manifest lists.
 */
public interface ScanStep {

    ScanResult scan(TappedModel model, WindowTokenizer tokenizer, ScanConfig config, CorpusReader corpus, BadRecords bad,
                    ScanProgress progress, CheckpointPolicy checkpoints, Checkpoint from) throws InterruptedException;

    /** The scan of one process: read, tokenize, forward and aggregate here. */
    ScanStep LOCAL = (model, tokenizer, config, corpus, bad, progress, checkpoints, from) ->
            new Scanner(model, tokenizer, config).scan(corpus, progress, checkpoints, from);
}
