package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.RecordBuilder;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import org.unbescape.html.HtmlEscape;
import java.util.ArrayList;
import java.util.List;

/**
 * One example as a page shows it: its tokens in three runs of markup, {@code near} shown by default and the
 * others revealed by the whole-window control.
 */
public record ExampleView(int rank, String anchor, String value, String source, String where,
                          boolean hasBefore, boolean hasAfter, SafeString before, SafeString near, SafeString after) {

    /** @param cls colour step, plus {@code m} for the extreme token; empty for white */
    public record Token(String text, String value, String cls) {}

    static ExampleView of(String anchor, int rank, NeuronRecord.Example e, double scale) {
        int max = e.maxIndex();
        // Shown before the whole window is expanded: the context samples and bottom examples are cut to.
        int from = Math.max(0, max - RecordBuilder.BEFORE);
        int to = Math.min(e.tokens().size(), max + RecordBuilder.AFTER + 1);
        List<Token> tokens = new ArrayList<>(e.tokens().size());
        for (int i = 0; i < e.tokens().size(); i++) {
            String cls = Palette.cssClass(e.values()[i], scale);
            if (i == max) {
                cls = cls.isEmpty() ? "m" : cls + " m";
            }
            tokens.add(new Token(e.tokens().get(i), Format.value(e.values()[i]), cls));
        }
        String where = e.doc().file() + (e.doc().line() == null ? "" : ":" + e.doc().line()) + " · window " + e.window();
        return new ExampleView(rank, anchor, Format.value(e.value()), e.source() == null ? "" : e.source(), where,
                from > 0, to < tokens.size(), markup(tokens.subList(0, from)), markup(tokens.subList(from, to)),
                markup(tokens.subList(to, tokens.size())));
    }

    /**
     * The spans of a run of tokens. A page holds thousands, so they are written here rather than by a template
     * loop (five times faster); the text and the values are escaped with unbescape's HTML escaping, the one
     * Pebble's autoescaping uses, so corpus text stays text.
     */
    static SafeString markup(List<Token> tokens) {
        StringBuilder html = new StringBuilder(tokens.size() * 40);
        for (Token t : tokens) {
            html.append("<span");
            if (!t.cls().isEmpty()) {
                html.append(" class=\"").append(HtmlEscape.escapeHtml4Xml(t.cls())).append('"');
            }
            html.append(" title=\"").append(HtmlEscape.escapeHtml4Xml(t.value())).append("\">")
                    .append(HtmlEscape.escapeHtml4Xml(t.text())).append("</span>");
        }
        return new SafeString(html.toString());
    }
}
