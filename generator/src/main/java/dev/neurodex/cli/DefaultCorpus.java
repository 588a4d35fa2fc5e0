package dev.neurodex.cli;

import dev.neurodex.corpus.CorpusException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the corpus shipped in the repository's {@code corpus/} when no --corpus is given. */
final class DefaultCorpus {
    static final String FILE = "default.jsonl.gz";

    private DefaultCorpus() {}

    static Path locate() {
        // Run from the repository root, from generator/, or from the jar's folder under generator/target.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("corpus").resolve(FILE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new CorpusException("no --corpus given and corpus/" + FILE + " not found in this folder or above it");
    }
}
