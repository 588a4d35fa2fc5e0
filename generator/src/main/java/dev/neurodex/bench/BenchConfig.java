package dev.neurodex.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What one benchmark run measures on.
 *
 * @param scanTokens content tokens of the corpus prefix each scan repetition reads
 * @param reps       repetitions of each measurement; medians are reported
 * @param hook       where the model's own units are read, as in a build
 * @param saes       SAE directories scanned along, as in a build
 */
public record BenchConfig(String model, List<Path> corpus, int context, int batchSize, int threads, int reps,
                          long scanTokens, dev.neurodex.model.HookPoint hook, List<Path> saes) {}
