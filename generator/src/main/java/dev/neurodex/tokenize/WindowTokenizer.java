package dev.neurodex.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.neurodex.corpus.Document;
import dev.neurodex.corpus.CorpusLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tokenizes documents with a Hugging Face tokenizer.json and cuts them into windows. A document is
 * tokenized whole, without special tokens, truncation or padding, whatever tokenizer.json asks for.
 */
public final class WindowTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    private WindowTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static WindowTokenizer load(InputStream tokenizerJson) {
        try {
            return load(tokenizerJson.readAllBytes(), "tokenizer.json", CorpusLimits.DOCUMENT_CHARS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer.json", e);
        }
    }

    /**
     * @param label         the file, as errors name it
     * @param maxInputChars the longest text {@link #windows} will be given (a document piece)
     */
    public static WindowTokenizer load(byte[] tokenizerJson, String label, int maxInputChars) {
        TokenizerCheck.check(tokenizerJson, label, maxInputChars);
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false", "truncation", "false", "padding", "false");
        try {
            return new WindowTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + label, e);
        } catch (RuntimeException e) {
            throw new TokenizerException(label + ": the tokenizer library refuses it (" + e.getMessage() + ")", e);
        }
    }

    /** The text of one token id, special tokens included (for tables of tokens, not for documents). */
    public String token(int id) {
        return tokenizer.decode(new long[] {id}, false);
    }

    /** Ids {@code [from, to)} decoded together, as text (for a line of context around a token). */
    public String decode(int[] ids, int from, int to) {
        long[] run = new long[Math.max(0, to - from)];
        for (int i = 0; i < run.length; i++) {
            run[i] = ids[from + i];
        }
        return run.length == 0 ? "" : tokenizer.decode(run, false);
    }

    /** Token ids of {@code text} as the model sees them, with no special tokens. */
    public long[] ids(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /**
     * Consecutive non-overlapping windows of at most {@code width} content tokens, from the first token.
     *
     * @param document   1-based number of the document in corpus order
     * @param firstOrder corpus-wide order number of the document's first window
     */
    public List<Window> windows(Document doc, long document, int width, long firstOrder) {
        return windows(doc, document, width, firstOrder, List.of());
    }

    /** As {@link #windows(Document, long, int, long)}, each token labelled by the probes its text overlaps. */
    public List<Window> windows(Document doc, long document, int width, long firstOrder, List<Probe> probes) {
        if (doc.text().isEmpty()) {
            return List.of();
        }
        Encoding encoding = tokenizer.encode(doc.text(), false, false);
        long[] ids = encoding.getIds();
        long[] labels = null;
        if (!probes.isEmpty()) {
            CharSpan[] spans = encoding.getCharTokenSpans();
            int[] starts = new int[ids.length];
            int[] ends = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                starts[i] = spans[i] == null ? (i > 0 ? ends[i - 1] : 0) : spans[i].getStart();
                ends[i] = spans[i] == null ? starts[i] : spans[i].getEnd();
            }
            labels = Probe.labels(probes, doc.text(), starts, ends);
        }
        List<Window> windows = new ArrayList<>((ids.length + width - 1) / width);
        for (int from = 0, index = 0; from < ids.length; from += width, index++) {
            int[] windowIds = new int[Math.min(ids.length, from + width) - from];
            for (int i = 0; i < windowIds.length; i++) {
                windowIds[i] = Math.toIntExact(ids[from + i]);
            }
            windows.add(new Window(doc.origin(), document, index, firstOrder + index, windowIds,
                    labels == null ? null : java.util.Arrays.copyOfRange(labels, from, from + windowIds.length)));
        }
        return windows;
    }

    /** The same windows as {@link #windows}, as text: each token's surface string and its span in the document. */
    public List<WindowText> texts(Document doc, int width) {
        String text = doc.text();
        if (text.isEmpty()) {
            return List.of();
        }
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        CodePoints cp = new CodePoints(text);
        List<WindowText> windows = new ArrayList<>((ids.length + width - 1) / width);
        for (int from = 0; from < ids.length; from += width) {
            int n = Math.min(ids.length, from + width) - from;
            int[] windowIds = new int[n];
            int[] starts = new int[n];
            int[] ends = new int[n];
            String[] tokens = new String[n];
            int previousEnd = spans[from].getStart();
            for (int i = 0; i < n; i++) {
                CharSpan span = spans[from + i];
                windowIds[i] = Math.toIntExact(ids[from + i]);
                starts[i] = span.getStart();
                ends[i] = span.getEnd();
                // Pieces of one character share its span: the first piece carries the text, the rest are empty.
                int tokenEnd = Math.max(previousEnd, ends[i]);
                tokens[i] = shown(cp.substring(previousEnd, tokenEnd));
                previousEnd = tokenEnd;
            }
            windows.add(new WindowText(windowIds, tokens, starts, ends));
        }
        return windows;
    }

    /**
     * Characters of one token's text a page shows. A WordPiece {@code [UNK]} covers a whole unknown word, which in
     * a hostile corpus is a million characters: shown whole in every example of every neuron, that filled the disk.
     */
    public static final int MAX_TOKEN_CHARS = 256;

    private static String shown(String token) {
        if (token.length() <= MAX_TOKEN_CHARS) {
            return token;
        }
        int cut = Character.isHighSurrogate(token.charAt(MAX_TOKEN_CHARS - 2)) ? MAX_TOKEN_CHARS - 2 : MAX_TOKEN_CHARS - 1;
        return token.substring(0, cut) + "\u2026";
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Code point offsets (what the tokenizer reports) to Java's UTF-16 offsets. */
    private static final class CodePoints {
        private final String text;
        private final int[] charIndex; // null when every code point is one UTF-16 unit

        CodePoints(String text) {
            this.text = text;
            int count = text.codePointCount(0, text.length());
            if (count == text.length()) {
                charIndex = null;
            } else {
                charIndex = new int[count + 1];
                for (int c = 0, i = 0; c < count; c++) {
                    charIndex[c] = i;
                    i += Character.charCount(text.codePointAt(i));
                }
                charIndex[count] = text.length();
            }
        }

        String substring(int cpStart, int cpEnd) {
            return charIndex == null ? text.substring(cpStart, cpEnd) : text.substring(charIndex[cpStart], charIndex[cpEnd]);
        }
    }
}
