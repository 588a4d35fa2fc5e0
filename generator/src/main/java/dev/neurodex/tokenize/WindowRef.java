package dev.neurodex.tokenize;

import dev.neurodex.corpus.Origin;

/**
 * Which window of the corpus: a few numbers, so that a scan's state keeps one per kept window whatever the
 * context. Its tokens are read again from the corpus for the windows that made it into a page.
 *
 * @param document 1-based number of its document in corpus order (as the corpus reader hands them out)
 * @param index    0-based window number within the document
 * @param order    position of the window in the whole corpus; breaks ties between equal scores
 * @param length   content tokens (the last window before --max-tokens may be cut short)
 * @param idsHash  a hash of its token ids, to notice a corpus that changed between the scan and the rereading
 */
public record WindowRef(Origin origin, long document, int index, long order, int length, int idsHash)
        implements java.io.Serializable {}
