package dev.neurodex.corpus;

/**
 * What a corpus may ask of the reader, so that memory and time stay bounded whatever the files hold.
 *
 * @param maxLineBytes     a JSON Lines record longer than this is skipped and counted (it is held in memory whole)
 * @param maxDocumentChars a longer text is handed on in pieces of at most this many characters, cut at a line break
 *                         or a space where there is one: books stay readable, the tokenizer sees bounded input
 * @param maxFileBytes     decompressed bytes read from one file or archive member; the rest is skipped and counted
 * @param maxTarNameBytes  a tar member's name (GNU long name or PAX header) longer than this ends the archive's reading
 * @param followSymlinks   follow symbolic links inside corpus directories (as {@code find -L}); off, they are listed
 *                         as skipped, so that nothing outside the given paths is read
 */
public record CorpusLimits(int maxLineBytes, int maxDocumentChars, long maxFileBytes, int maxTarNameBytes,
                           boolean followSymlinks) {

    public static final int LINE_BYTES = 64 << 20;
    public static final int DOCUMENT_CHARS = 1_000_000;
    /**
     * The Hugging Face tokenizer library aborts the whole process (a Rust panic, no exception) somewhere between 10
     * and 20 million tokens in one call, e.g. 20 M characters of "€" in GPT-2's vocabulary: pieces stay well below.
     */
    public static final int MAX_DOCUMENT_CHARS = 4_000_000;
    public static final long FILE_BYTES = 64L << 30;
    public static final int TAR_NAME_BYTES = 4096;

    public static final CorpusLimits DEFAULT =
            new CorpusLimits(LINE_BYTES, DOCUMENT_CHARS, FILE_BYTES, TAR_NAME_BYTES, false);

    public CorpusLimits {
        // Integer.MAX_VALUE - 8 is the largest array the JVM allocates.
        if (maxLineBytes < 1 || maxLineBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--max-line-bytes must be between 1 and 2 GiB, got " + maxLineBytes);
        }
        if (maxDocumentChars < 1000 || maxDocumentChars > MAX_DOCUMENT_CHARS) {
            throw new IllegalArgumentException("--max-document-chars must be between 1000 and " + MAX_DOCUMENT_CHARS
                    + ", got " + maxDocumentChars);
        }
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("--max-file-bytes must be positive, got " + maxFileBytes);
        }
        if (maxTarNameBytes < 100) {
            throw new IllegalArgumentException("--max-tar-name-bytes must be at least 100 (a plain tar name), got "
                    + maxTarNameBytes);
        }
    }
}
