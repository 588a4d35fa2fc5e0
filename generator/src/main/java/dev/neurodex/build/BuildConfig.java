package dev.neurodex.build;

import dev.neurodex.scan.ScanConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one build is told, filled from the command line and written into the manifest.
 *
 * @param corpus  files or directories; each document's path is given relative to the one it was found under
 * @param threads engine threads for the forward pass (0: as many as the machine has)
 * @param strict  stop at the first bad record instead of skipping it
 */
public record BuildConfig(String model, List<Path> corpus, Path out, ScanConfig scan, int threads, boolean strict) {}
