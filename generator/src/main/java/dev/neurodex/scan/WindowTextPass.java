package dev.neurodex.scan;

import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusException;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.tokenize.WindowRef;
import dev.neurodex.tokenize.WindowText;
import dev.neurodex.tokenize.WindowTexts;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second pass over the corpus, after the scan: the documents that hold a kept window are read and tokenized
 * again (nothing runs through the model), and the text of those windows is kept. The scan's state holds only
 * {@link WindowRef}s, so its memory does not grow with the context; this pass holds the text of the windows the
 * pages show, at most the corpus's own size.
 */
public final class WindowTextPass {
    private WindowTextPass() {}

    /**
     * @param limits as the scan read the corpus: they decide where long documents were cut
     * @param width content tokens per window, as the scan cut them
     * @param needed the windows to read, from one scan of {@code corpus}
     */
    public static WindowTexts read(List<Path> corpus, CorpusLimits limits, WindowTokenizer tokenizer, int width,
                                   List<WindowRef> needed) {
        TreeMap<Long, List<WindowRef>> byDocument = new TreeMap<>();
        for (WindowRef w : needed) {
            byDocument.computeIfAbsent(w.document(), d -> new ArrayList<>()).add(w);
        }
        Map<Long, WindowText> texts = new HashMap<>();
        if (byDocument.isEmpty()) {
            return new WindowTexts(texts);
        }
        long last = byDocument.lastKey();
        long[] document = {0};
        // Bad records were reported by the scan; here they are only skipped, exactly as the scan skipped them.
        CorpusReader reader = new CorpusReader(corpus, limits, new BadRecords(false, new PrintWriter(Writer.nullWriter())));
        reader.read(doc -> {
            List<WindowRef> wanted = byDocument.get(++document[0]);
            if (wanted != null) {
                List<WindowText> windows = tokenizer.texts(doc, width);
                for (WindowRef w : wanted) {
                    WindowText text = w.index() < windows.size() ? windows.get(w.index()) : null;
                    if (text != null && w.length() < text.length()) {
                        text = text.prefix(w.length()); // the window --max-tokens cut short
                    }
                    if (text == null || text.length() != w.length() || text.idsHash() != w.idsHash()) {
                        throw new CorpusException(w.origin().where() + ": the corpus changed while the build ran "
                                + "(window " + w.index() + " of this document is no longer what was scanned)");
                    }
                    texts.put(w.order(), text);
                }
            }
            return document[0] < last;
        });
        if (document[0] < last) {
            throw new CorpusException("the corpus changed while the build ran: it now ends after " + document[0]
                    + " documents, the scan read " + last + " or more");
        }
        return new WindowTexts(texts);
    }
}
