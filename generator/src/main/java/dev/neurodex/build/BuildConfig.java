package dev.neurodex.build;

import dev.neurodex.scan.ScanConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one build is told, filled from the command line and written into the manifest.
 *
 * @param corpus  files or directories; each document's path is given relative to the one it was found under
 * @param threads engine threads for the forward pass (0: as many as the machine has)
 * @param model   a catalog name or a Hugging Face directory
 * @param name    the model's name in the site (its URL segment); null to derive it
 * @param hookRegex for an .onnx model, the pattern over tensor names that picks the MLP activations
 * @param strict  stop at the first bad record instead of skipping it
 */
public record BuildConfig(String model, String name, String hookRegex, List<Path> corpus, Path out, ScanConfig scan,
                          int threads, boolean strict) {}
