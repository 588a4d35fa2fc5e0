package dev.neurodex.scan;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether and where a scan keeps checkpoints, and whether it starts from one.
 *
 * @param file        the checkpoint file (one per site and model)
 * @param everyTokens write a checkpoint after at least this many content tokens since the last (0: never; the
 *                    build configuration has checked it is not negative)
 * @param resume      start from the checkpoint in {@code file}, if there is one
 * @param identity    what this scan runs on; a checkpoint made on anything else is refused
 */
public record CheckpointPolicy(Path file, long everyTokens, boolean resume, Checkpoint.Identity identity) {

    public static final CheckpointPolicy NONE = new CheckpointPolicy(null, 0, false, null);

    /** The checkpoint to resume from, or null to start from the beginning. */
    public Checkpoint restore(PrintWriter log) {
        if (!resume) {
            return null;
        }
        if (!Files.exists(file)) {
            log.println("neurodex: --resume: no checkpoint at " + file + "; starting from the beginning");
            return null;
        }
        Checkpoint c;
        try {
            c = Checkpoint.read(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--resume: cannot read the checkpoint " + file + ": " + e.getMessage()
                    + " (delete it to start from the beginning)", e);
        }
        String difference = c.identity().difference(identity);
        if (difference != null) {
            throw new IllegalArgumentException("--resume: the checkpoint " + file + " was made by a different build ("
                    + difference + "); run with the same model, corpus and options, or without --resume");
        }
        log.printf("neurodex: resuming from %s: %,d tokens of %,d documents already scanned%n", file, c.tokens(),
                c.documents());
        log.flush();
        return c;
    }

    boolean due(long tokensSinceLast) {
        return everyTokens > 0 && tokensSinceLast >= everyTokens;
    }

    void save(Checkpoint checkpoint) {
        try {
            checkpoint.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint " + file, e);
        }
    }

    /** Removes the checkpoint once the build it belongs to is published. */
    public void clear() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the checkpoint " + file, e);
        }
    }
}
