package dev.neurodex.corpus;

/**
 * One file of the corpus as the manifest lists it.
 *
 * @param documents documents read from it (bad records not counted)
 * @param complete  false when the build stopped before the end of this file (--max-tokens)
 */
public record CorpusFile(String path, long bytes, String sha256, long documents, boolean complete)
        implements java.io.Serializable {}
