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
 */
public record BuildConfig(String model, String name, String hookRegex, List<Path> corpus, CorpusLimits limits, Path out,
                          ScanConfig scan,
                          int threads, boolean strict, long checkpointEvery, boolean resume) {

    public BuildConfig {
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must not be negative, got " + checkpointEvery);
        }
    }
}
