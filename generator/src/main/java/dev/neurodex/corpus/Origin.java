package dev.neurodex.corpus;

/**
 * Where a document came from.
 *
 * @param file   path relative to the corpus root given on the command line ({@code a/b.jsonl.gz},
 *               or {@code data.tar.gz/inner.txt} for a member of an archive)
 * @param line   1-based line of a JSON Lines file; null for a one-document file
 * @param source the source label ({@code meta.pile_set_name}); null when the file has none
 */
public record Origin(String file, Integer line, String source) implements java.io.Serializable {

    /** {@code file:line}, or just the file, as an error message or a page shows it. */
    public String where() {
        return line == null ? file : file + ":" + line;
    }
}
