package dev.neurodex.corpus;

import java.io.IOException;

/** A file went past one of the {@link CorpusLimits}: the rest of it is skipped and counted, never read into memory. */
final class LimitExceeded extends IOException {
    LimitExceeded(String message) {
        super(message);
    }
}
