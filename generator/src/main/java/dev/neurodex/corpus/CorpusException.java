package dev.neurodex.corpus;

/** A corpus that cannot be read, or (with --strict) a bad record; the message names the file and line. */
public class CorpusException extends RuntimeException {
    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
