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

/** A neuron page rendered from a hand-made record: the context of each example on the page, coloured and escaped. */
class NeuronPageRenderTest {
    private static final Pattern TEXT = Pattern.compile("<li id=(ex-\\d+)([^>]*)>.*?<p class=\"text([^\"]*)\">(.*?)</p>",
            Pattern.DOTALL);
    private static final int LENGTH = 100;
    private static final int FROM = 30;
    private static final int MAX = 60;

    @TempDir
    Path dir;

    /** The 41 positions around the max (60) of a 100-token window, as a record holds them. */
    private static NeuronRecord.Example longWindow() {
        List<String> tokens = new ArrayList<>();
        float[] kept = new float[LENGTH];
        int[] values = new int[41];
        for (int i = 0; i < LENGTH; i++) {
            kept[i] = (float) Math.sin(i) * 0.5f;
        }
        kept[MAX] = 3.5f;
        kept[MAX + 1] = kept[MAX + 2] = 3.4f; // one colour run of two tokens after the max
        for (int p = FROM; p < FROM + 41; p++) {
            tokens.add(p == 35 ? " <b onmouseover=\"x\">&amp;" : p == 65 ? " été’s 中文 😀" : p == 45 ? "\r\n w45" : " w" + p);
            values[p - FROM] = Math.round(kept[p] / 3.5f * NeuronRecord.QUANTA);
        }
        return new NeuronRecord.Example(3.5f, new NeuronRecord.Doc("a&b.jsonl", 7), 0, "<i>src</i>", FROM, new int[41],
                values, MAX - FROM, 0, 0, tokens, new NeuronRecord.Kept(123, 0, kept, LENGTH));
    }

    private static NeuronRecord record(NeuronRecord.Example example) {
        return new NeuronRecord(NeuronRecord.FORMAT, "m", 1, 2, "blocks.1.mlp.hook_post",
                new NeuronRecord.Stats(3.5f, -1f, 0.1, 0.4, 1000, 7), 3.5, List.of(example),
                new NeuronRecord.Histogram(0, new long[0]), List.of(), List.of(), List.of(), 1.0, null, null, List.of());
    }

    private String render() throws IOException {
        new SiteRenderer("test").neuron(new SiteFiles(dir), record(longWindow()),
                SiteShape.of("m", "bert", 2, 4, false, "", ""), order -> "0." + order);
        return Files.readString(dir.resolve("1/2.html"));
    }

    @Test
    void theContextAroundTheMaxIsOnThePageEscaped() throws IOException {
        String html = render();
        Matcher m = TEXT.matcher(html);
        assertTrue(m.find());
        assertEquals(" l r", m.group(3), "cut on both sides of the window");
        String shown = HtmlEscape.unescapeHtml(m.group(4).replaceAll("<[^>]*>", ""));
        assertEquals(String.join("", longWindow().tokens()), shown);
        assertFalse(html.contains("<b onmouseover"), "corpus markup is escaped");
        assertTrue(html.contains("<strong>3.500</strong> &lt;i&gt;src&lt;/i&gt; · a&amp;b.jsonl:7 · window 0"),
                "so are source labels and paths");
        assertTrue(html.contains(" été’s 中文 😀"), "non-ASCII text is written as itself, in UTF-8");
        assertTrue(html.contains("&#13;\n w45"), "a CR kept as a reference, which HTML parsing does not fold into LF");
        assertFalse(Files.exists(dir.resolve("1/2.embed.html")), "the embed view is the page itself, with #embed");
        assertTrue(html.contains("<span id=\"embed\"></span>") && html.contains("class=\"embed-head\""));
    }

    @Test
    void tokensAreColouredInRunsAndTheExampleNamesItsEntryAndWindow() throws IOException {
        String html = render();
        assertTrue(html.contains("<mark class=p8> w60</mark><i class=p8> w61 w62</i>"),
                "the max token alone and marked, then one run of two tokens of one colour");
        assertTrue(html.contains("<i class=p1> w32 w33 w34</i> &lt;b onmouseover=&quot;x&quot;&gt;&amp;amp;"
                        + "<i class=n1> w36 w37</i> w38"),
                "three light positives in one run; the escaped token near zero, plain; two light negatives; plain again");
        Matcher m = TEXT.matcher(html);
        assertTrue(m.find());
        assertEquals(" data-s=30 data-m=60 data-w=0.123", m.group(2));
        assertTrue(html.contains("data-values=\"values/0.js\"") && html.contains("data-scale=\"3.5\""));
    }
}
