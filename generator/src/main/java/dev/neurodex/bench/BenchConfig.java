package dev.neurodex.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What one benchmark run measures on.
 *
 * @param scanTokens content tokens of the corpus prefix each scan repetition reads
 * @param reps       repetitions of each measurement; medians are reported
 */
public record BenchConfig(String model, List<Path> corpus, int context, int batchSize, int threads, int reps,
                          long scanTokens) {}
