package dev.neurodex.tokenize;

import java.util.Map;

/** The text of the windows a site shows, by their order in the corpus. */
public final class WindowTexts implements java.io.Serializable {
    private final Map<Long, WindowText> byOrder;

    public WindowTexts(Map<Long, WindowText> byOrder) {
        this.byOrder = Map.copyOf(byOrder);
    }

    public WindowText get(WindowRef window) {
        WindowText text = byOrder.get(window.order());
        if (text == null) {
            throw new IllegalStateException("no text was read for window " + window.index() + " of " + window.origin().where());
        }
        return text;
    }

    public int size() {
        return byOrder.size();
    }
}
