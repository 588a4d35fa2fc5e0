package dev.neurodex.corpus;

/**
 * Documents [from, to) of a corpus, numbered from 0 in reading order, and where reading them starts: file
 * {@code fromFile} of the readable files, before which the corpus holds {@code documentsBefore} documents.
 * {@code to} is {@link Long#MAX_VALUE} for a range that runs to the end.
 */
public record DocumentRange(int fromFile, long documentsBefore, long from, long to) {
    public DocumentRange {
        if (fromFile < 0 || documentsBefore < 0 || documentsBefore > from || from > to) {
            throw new IllegalArgumentException("not a range of documents: file " + fromFile + " after "
                    + documentsBefore + ", documents [" + from + ", " + to + ")");
        }
    }
}
