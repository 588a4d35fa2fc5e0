package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.RecordBuilder;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import org.unbescape.html.HtmlEscape;

/**
 * One example as a page shows it, as the markup of its list item: a header (rank, value, source, where), then
 * its tokens in three runs, the part around the extreme token shown by default and the rest revealed by the
 * whole-window control, with {@code data-v}, each token's activation in window order, which the page's script
 * shows on hover. A page holds dozens of examples and thousands of tokens, so this is written here straight into
 * one buffer rather than by template loops (several times faster); the neuron page and its embed page share it.
 * Text from the corpus (tokens, source labels, paths) goes through unbescape's HTML escaping, the one Pebble's
 * autoescaping uses, so it stays text; anchors, classes and numbers are our own ASCII and need none.
 */
final class ExampleMarkup {
    private ExampleMarkup() {}

    static SafeString of(String anchor, int rank, NeuronRecord.Example e, double scale) {
        int max = e.maxIndex();
        int size = e.tokens().size();
        // Shown before the whole window is expanded: the context samples and bottom examples are cut to.
        int from = Math.max(0, max - RecordBuilder.BEFORE);
        int to = Math.min(size, max + RecordBuilder.AFTER + 1);
        boolean cut = from > 0 || to < size;
        StringBuilder html = new StringBuilder(size * 32 + 512);
        html.append("  <li id=\"").append(anchor).append("\" class=\"example\">\n    ");
        if (cut) {
            html.append("<input type=\"checkbox\" class=\"expand\" id=\"").append(anchor).append("-all\">");
        }
        html.append("<div class=\"meta\"><a class=\"anchor\" href=\"#").append(anchor).append("\">#").append(rank)
                .append("</a> <span class=\"value\">");
        Format.appendValue(html, e.value()).append("</span> <span class=\"source\">");
        appendEscaped(html, e.source() == null ? "" : e.source());
        html.append("</span> <span class=\"where\">");
        appendEscaped(html, e.doc().file() + (e.doc().line() == null ? "" : ":" + e.doc().line()));
        html.append(" &middot; window ").append(e.window()).append("</span>");
        if (cut) {
            html.append(" <label for=\"").append(anchor).append("-all\">whole window</label>");
        }
        html.append("</div>\n    <div class=\"text\" data-v=\"");
        appendValues(html, e.values());
        html.append("\">");
        if (from > 0) {
            appendTokens(html.append("<span class=\"far\">"), e, 0, from, max, scale).append("</span><span class=\"more\">&hellip; </span>");
        }
        appendTokens(html, e, from, to, max, scale);
        if (to < size) {
            appendTokens(html.append("<span class=\"more\"> &hellip;</span><span class=\"far\">"), e, to, size, max, scale).append("</span>");
        }
        html.append("</div>\n  </li>\n");
        return new SafeString(html.toString());
    }

    /**
     * The spans of tokens {@code from..to} of an example, classed by colour step; the extreme token is also
     * marked {@code m}. Values are not here but in {@code data-v}: an attribute per token made pages a third heavier.
     */
    private static StringBuilder appendTokens(StringBuilder html, NeuronRecord.Example e, int from, int to, int max, double scale) {
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
        return html;
    }

    /** Every token's value, space-separated in window order. */
    private static void appendValues(StringBuilder out, float[] values) {
        for (int i = 0; i < values.length; i++) {
            Format.appendValue(i == 0 ? out : out.append(' '), values[i]);
        }
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
