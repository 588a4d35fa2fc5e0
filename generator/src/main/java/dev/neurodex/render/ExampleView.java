package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.RecordBuilder;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import org.unbescape.html.HtmlEscape;

/**
 * One example as a page shows it: its tokens in three runs of markup, {@code near} shown by default and the
 * others revealed by the whole-window control, and {@code values}, the activation of each token in window order,
 * which the page's script shows on hover. The flags are not called {@code hasBefore}/{@code hasAfter}: Pebble
 * resolves {@code ex.before} to a {@code hasBefore()} method before {@code before()}.
 */
public record ExampleView(int rank, String anchor, String value, String source, String where,
                          boolean cutBefore, boolean cutAfter, SafeString before, SafeString near, SafeString after,
                          SafeString values) {
    static ExampleView of(String anchor, int rank, NeuronRecord.Example e, double scale) {
        int max = e.maxIndex();
        // Shown before the whole window is expanded: the context samples and bottom examples are cut to.
        int from = Math.max(0, max - RecordBuilder.BEFORE);
        int to = Math.min(e.tokens().size(), max + RecordBuilder.AFTER + 1);
        String where = e.doc().file() + (e.doc().line() == null ? "" : ":" + e.doc().line()) + " · window " + e.window();
        return new ExampleView(rank, anchor, Format.value(e.value()), e.source() == null ? "" : e.source(), where,
                from > 0, to < e.tokens().size(), markup(e, 0, from, max, scale), markup(e, from, to, max, scale),
                markup(e, to, e.tokens().size(), max, scale), values(e));
    }

    /**
     * The spans of tokens {@code from..to} of an example. A page holds thousands, so they are written here
     * straight into one buffer rather than by a template loop (several times faster). Token text is escaped
     * with unbescape's HTML escaping, the one Pebble's autoescaping uses, so corpus text stays text; classes
     * are our own ASCII ({@code p3}) and need none. Values are not here but in {@link #values}: an attribute
     * per token made pages a third heavier.
     */
    static SafeString markup(NeuronRecord.Example e, int from, int to, int max, double scale) {
        StringBuilder html = new StringBuilder((to - from) * 24);
        for (int i = from; i < to; i++) {
            String cls = Palette.cssClass(e.values()[i], scale);
            html.append("<span");
            if (i == max) {
                html.append(" class=\"").append(cls).append(cls.isEmpty() ? "m\">" : " m\">");
            } else if (cls.isEmpty()) {
                html.append('>');
            } else {
                html.append(" class=\"").append(cls).append("\">");
            }
            appendEscaped(html, e.tokens().get(i));
            html.append("</span>");
        }
        return new SafeString(html.toString());
    }

    /** Every token's value, space-separated in window order: numbers we format, so no escaping is needed. */
    static SafeString values(NeuronRecord.Example e) {
        float[] values = e.values();
        StringBuilder out = new StringBuilder(values.length * 8);
        for (int i = 0; i < values.length; i++) {
            Format.appendValue(i == 0 ? out : out.append(' '), values[i]);
        }
        return new SafeString(out.toString());
    }

    /** Most tokens hold none of the five characters HTML escaping changes; only the others go through unbescape. */
    private static void appendEscaped(StringBuilder html, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '>' || c == '&' || c == '"' || c == '\'') {
                html.append(HtmlEscape.escapeHtml4Xml(text));
                return;
            }
        }
        html.append(text);
    }
}
