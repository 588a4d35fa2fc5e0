package dev.neurodex.tokenize;

import dev.neurodex.corpus.Origin;
import java.util.Arrays;

/**
 * A run of at most W consecutive content tokens of one document (DESIGN.md, windowing), as the model runs it.
 *
 * @param labels per token, bit p set when it carries probe p's label; null when the build has no probes
 */
public record Window(WindowRef ref, int[] ids, long[] labels) {

    public Window(WindowRef ref, int[] ids) {
        this(ref, ids, null);
    }

    public Window(Origin origin, long document, int index, long order, int[] ids) {
        this(origin, document, index, order, ids, null);
    }

    public Window(Origin origin, long document, int index, long order, int[] ids, long[] labels) {
        this(new WindowRef(origin, document, index, order, ids.length, Arrays.hashCode(ids)), ids, labels);
    }

    public int length() {
        return ids.length;
    }

    public long order() {
        return ref.order();
    }

    /** The first {@code n} tokens of this window (used where a token budget ends mid-window). */
    public Window prefix(int n) {
        return new Window(ref.origin(), ref.document(), ref.index(), ref.order(), Arrays.copyOf(ids, n),
                labels == null ? null : Arrays.copyOf(labels, n));
    }
}
