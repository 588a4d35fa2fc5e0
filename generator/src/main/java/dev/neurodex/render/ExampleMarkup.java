package dev.neurodex.render;

import dev.neurodex.tokenize.TokenDisplay;
import dev.neurodex.store.NeuronRecord;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import org.unbescape.html.HtmlEscape;

/**
 * One example as a page shows it, as the markup of its list item: a header (rank, value, source, where), then
 * the tokens around its extreme token, coloured by the neuron's activation. Consecutive tokens of one colour
 * share one element and uncoloured text is plain, so the page stays small and reads without JavaScript; the
 * extreme token is a {@code <mark>} of its own, outlined. The page's script finds the example's values in the
 * layer's values file by its place in page order and splits the text into tokens there for hover values;
 * {@code data-s} and {@code data-m} are the window positions of the first token shown and of the extreme token,
 * {@code data-w} names a top window in the window store, for the whole-window view.
 * A page holds dozens of examples and thousands of tokens, so this is written here straight into one buffer
 * rather than by template loops; text from the corpus (tokens, source labels, paths) goes through unbescape's
 * HTML escaping, the one Pebble's autoescaping uses, so it stays text.
 */
final class ExampleMarkup {
    private ExampleMarkup() {}

    /** @param windowKey the window store's key of the window, or null when it has no whole-window view */
    static SafeString of(String anchor, int rank, NeuronRecord.Example e, String windowKey) {
        // Attribute values here are our own numbers and names: unquoted, as HTML allows, on thousands of pages.
        StringBuilder html = new StringBuilder(e.tokens().size() * 12 + 240);
        html.append("<li id=").append(anchor).append(" data-s=").append(e.start()).append(" data-m=")
                .append(e.start() + e.maxIndex());
        if (windowKey != null) {
            html.append(" data-w=").append(windowKey);
        }
        html.append("><p class=meta><a href=#").append(anchor).append(">#").append(rank).append("</a> <strong>");
        Format.appendValue(html, e.value()).append("</strong> ");
        appendEscaped(html, e.source() == null ? "" : e.source() + " · ");
        appendEscaped(html, e.doc().file() + (e.doc().line() == null ? "" : ":" + e.doc().line()));
        html.append(" · window ").append(e.window()).append("</p><p class=\"text");
        // l, r: the window goes on to the left or right of what is shown (the stylesheet adds the "…").
        html.append(e.start() > 0 ? " l" : "").append(e.start() + e.tokens().size() < e.kept().length() ? " r" : "")
                .append("\">");
        appendTokens(html, e);
        return new SafeString(html.append("</p></li>\n").toString());
    }

    /** The tokens in runs of one colour class ({@code <i>}); the extreme token alone, as {@code <mark>}. */
    private static void appendTokens(StringBuilder html, NeuronRecord.Example e) {
        String open = null; // the class of the run being written, null when none
        for (int i = 0; i < e.tokens().size(); i++) {
            String cls = Palette.cssClass((double) e.values()[i] / NeuronRecord.QUANTA, 1.0);
            boolean max = i == e.maxIndex();
            if (open != null && (max || !open.equals(cls))) {
                html.append("</i>");
                open = null;
            }
            if (max) {
                html.append(cls.isEmpty() ? "<mark>" : "<mark class=" + cls + ">");
                appendEscaped(html, TokenDisplay.inText(e.tokens().get(i)));
                html.append("</mark>");
                continue;
            }
            if (open == null && !cls.isEmpty()) {
                open = cls;
                html.append("<i class=").append(cls).append('>');
            }
            appendEscaped(html, TokenDisplay.inText(e.tokens().get(i)));
        }
        if (open != null) {
            html.append("</i>");
        }
    }

    /**
     * Most tokens hold none of the characters escaping changes; only the others go through unbescape. A carriage
     * return is written as a reference: HTML parsing turns a literal CR LF into LF, which would shift the token
     * boundaries the page's script finds by length.
     */
    private static void appendEscaped(StringBuilder html, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '>' || c == '&' || c == '"' || c == '\'' || c == '\r') {
                html.append(HtmlEscape.escapeHtml4Xml(text).replace("\r", "&#13;"));
                return;
            }
        }
        html.append(text);
    }
}
