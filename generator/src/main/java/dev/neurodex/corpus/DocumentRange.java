package dev.neurodex.corpus;

/**
 * Documents [from, to) of a corpus, numbered from 0 in reading order, and where reading them starts: file
 * {@code fromFile} of the readable files, before which the corpus holds {@code documentsBefore} documents.
 * Bad records are reported only where the next document is in [from, reportTo): ranges that share a document
 * (parts cut inside it) report each bad record once. {@code to} and {@code reportTo} are {@link Long#MAX_VALUE}
 * for a range that runs to the end.
 */
public record DocumentRange(int fromFile, long documentsBefore, long from, long to, long reportTo) {
    public DocumentRange {
        if (fromFile < 0 || documentsBefore < 0 || documentsBefore > from || from > reportTo || reportTo > to) {
            throw new IllegalArgumentException("not a range of documents: file " + fromFile + " after "
                    + documentsBefore + ", documents [" + from + ", " + to + "), reporting to " + reportTo);
        }
    }
}
