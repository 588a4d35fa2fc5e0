package dev.neurodex.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.SiteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unbescape.html.HtmlEscape;

/** A neuron page rendered from a hand-made record: every token of a long window is on the page, escaped. */
class NeuronPageRenderTest {
    private static final Pattern TEXT = Pattern.compile("<li id=\"(ex-\\d+)\".*?<div class=\"text\"[^>]*>(.*?)</div>",
            Pattern.DOTALL);

    @TempDir
    Path dir;

    /** A 100-token window whose extreme token sits at 60, so the page cuts text before and after it. */
    private static NeuronRecord.Example longWindow() {
        List<String> tokens = new ArrayList<>();
        float[] values = new float[100];
        for (int i = 0; i < 100; i++) {
            tokens.add(i == 5 ? " <b onmouseover=\"x\">&amp;" : i == 95 ? " été’s 中文 😀" : " w" + i);
            values[i] = (float) Math.sin(i) * 0.5f;
        }
        values[60] = 3.5f;
        return new NeuronRecord.Example(3.5f, new NeuronRecord.Doc("a&b.jsonl", 7), 0, "<i>src</i>", tokens, values, 60, 0, 0, 0);
    }

    private static NeuronRecord record(NeuronRecord.Example example) {
        return new NeuronRecord("m", 1, 2, "blocks.1.mlp.hook_post", new NeuronRecord.Stats(3.5f, -1f, 0.1, 0.4, 1000),
                List.of(example), new NeuronRecord.Histogram(List.of()), List.of(), List.of(), List.of(), 1.0, null);
    }

    /** The text of each example of a page, the "…" markers taken out: what a reader sees with the window expanded. */
    private static List<String> shownTexts(String html) {
        List<String> texts = new ArrayList<>();
        Matcher m = TEXT.matcher(html);
        while (m.find()) {
            String text = m.group(2).replaceAll("<span class=\"more\">[^<]*</span>", "");
            texts.add(HtmlEscape.unescapeHtml(text.replaceAll("<[^>]*>", "")));
        }
        return texts;
    }

    @Test
    void theWholeWindowIsOnThePageEscaped() throws IOException {
        NeuronRecord.Example example = longWindow();
        new SiteRenderer("test").neuron(new SiteFiles(dir), record(example), SiteShape.of("m", "bert", 2, 4, false, "", ""));
        String expected = String.join("", example.tokens());
        for (String page : List.of("1/2.html", "1/2.embed.html")) {
            String html = Files.readString(dir.resolve(page));
            assertEquals(List.of(expected), shownTexts(html), page);
            assertTrue(html.contains("<span class=\"far\">"), "text before and after the max is cut to a hidden part");
            assertFalse(html.contains("<b onmouseover"), "corpus markup is escaped");
            assertTrue(html.contains("<span class=\"source\">&lt;i&gt;src&lt;/i&gt;</span> <span class=\"where\">a&amp;b.jsonl:7"),
                    "so are source labels and paths");
            assertTrue(html.contains(" été’s 中文 😀"), "non-ASCII text is written as itself, in UTF-8");
        }
    }

    @Test
    void eachTokenCarriesItsColourAndTheExampleItsValues() throws IOException {
        NeuronRecord.Example example = longWindow();
        new SiteRenderer("test").neuron(new SiteFiles(dir), record(example), SiteShape.of("m", "bert", 2, 4, false, "", ""));
        String html = Files.readString(dir.resolve("1/2.html"));
        assertTrue(html.contains("<span class=\"p8 m\"> w60</span>"), "the max token: full colour, marked");
        assertTrue(html.contains("<span> w0</span>"), "zero: no colour");
        assertTrue(html.contains("<span class=\"n1\"> w4</span>"), "sin(4)/2, a light negative");
        Matcher values = Pattern.compile("<div class=\"text\" data-v=\"([^\"]*)\">").matcher(html);
        assertTrue(values.find());
        List<String> v = List.of(values.group(1).split(" "));
        assertEquals(100, v.size(), "one value per token of the window");
        assertEquals("0", v.get(0));
        assertEquals("-0.3784", v.get(4));
        assertEquals("3.500", v.get(60));
    }
}
