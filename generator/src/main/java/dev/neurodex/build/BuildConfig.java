package dev.neurodex.build;

import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.scan.ScanConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one build is told, filled from the command line and written into the manifest.
 *
 * @param corpus  files or directories; each document's path is given relative to the one it was found under
 * @param limits  how long a line, document, file or tar name may be; whether links in folders are followed
 * @param threads engine threads for the forward pass (0: as many as the machine has)
 * @param model   a catalog name or a Hugging Face directory
 * @param name    the model's name in the site (its URL segment); null to derive it
 * @param hookRegex for an .onnx model, the pattern over tensor names that picks the MLP activations
 * @param strict  stop at the first bad record instead of skipping it
 * @param checkpointEvery write the scan's state after this many content tokens since the last checkpoint (0: never)
 * @param resume  continue from the last checkpoint of this site and model, if there is one
 * @param hook    where the model's own units are read (mlp.hook_post: its neurons)
 * @param saes    SAELens directories whose latents become sections of the model's pages
 */
public record BuildConfig(String model, String name, String hookRegex, List<Path> corpus, CorpusLimits limits, Path out,
                          ScanConfig scan,
                          int threads, boolean strict, long checkpointEvery, boolean resume,
                          dev.neurodex.model.HookPoint hook, List<Path> saes) {

    public BuildConfig(String model, String name, String hookRegex, List<Path> corpus, CorpusLimits limits, Path out,
                       ScanConfig scan, int threads, boolean strict, long checkpointEvery, boolean resume) {
        this(model, name, hookRegex, corpus, limits, out, scan, threads, strict, checkpointEvery, resume,
                dev.neurodex.model.HookPoint.MLP_POST, List.of());
    }

    /** The same build of the model at {@code location} (a fetched copy of it, say). */
    public BuildConfig withModel(String location) {
        return new BuildConfig(location, name, hookRegex, corpus, limits, out, scan, threads, strict, checkpointEvery,
                resume, hook, saes);
    }

    public BuildConfig {
        saes = List.copyOf(saes);
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must not be negative, got " + checkpointEvery);
        }
    }
}
