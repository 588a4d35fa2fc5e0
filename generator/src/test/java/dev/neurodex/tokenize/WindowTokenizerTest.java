package dev.neurodex.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.corpus.Document;
import dev.neurodex.corpus.Origin;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WindowTokenizerTest {
    private static WindowTokenizer tokenizer;

    @BeforeAll
    static void load() {
        InputStream json = WindowTokenizerTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
        tokenizer = WindowTokenizer.load(json);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static Document doc(String text) {
        return new Document(new Origin("t.jsonl", 1, "test"), text);
    }

    @Test
    void longDocumentIsCutIntoConsecutiveWindowsWithoutTruncationOrSpecials() {
        String text = "word ".repeat(300).strip(); // 300 tokens: beyond both 128 and the 512 default truncation
        List<Window> windows = tokenizer.windows(doc(text.repeat(2)), 1, 126, 10);
        int total = windows.stream().mapToInt(Window::length).sum();
        assertEquals(tokenizer.ids(text.repeat(2)).length, total);
        assertTrue(total > 512, "the tokenizer truncated: " + total);
        for (int i = 0; i < windows.size() - 1; i++) {
            assertEquals(126, windows.get(i).length());
        }
        assertEquals(total - 126 * (windows.size() - 1), windows.get(windows.size() - 1).length());
        for (int i = 0; i < windows.size(); i++) {
            assertEquals(i, windows.get(i).ref().index());
            assertEquals(10 + i, windows.get(i).order());
            assertTrue(Arrays.stream(windows.get(i).ids()).noneMatch(id -> id == 101 || id == 102 || id == 0),
                    "a special token in window " + i);
        }
    }

    @Test
    void windowsAreConsecutiveSlicesOfTheDocumentTokens() {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(20);
        long[] all = tokenizer.ids(text);
        List<Window> windows = tokenizer.windows(doc(text), 1, 50, 0);
        int at = 0;
        for (Window w : windows) {
            for (int id : w.ids()) {
                assertEquals(all[at++], id);
            }
        }
        assertEquals(all.length, at);
    }

    @Test
    void emptyTextGivesNoWindow() {
        assertEquals(List.of(), tokenizer.windows(doc(""), 1, 126, 0));
    }

    @Test
    void spansAreCodePointsAndTokensJoinToTheText() {
        String text = "naïve 😀 café 東京タワー is tall 🚀🚀 end";
        List<WindowText> windows = tokenizer.texts(doc(text), 126);
        assertEquals(1, windows.size());
        WindowText w = windows.get(0);
        assertArrayEquals(tokenizer.windows(doc(text), 1, 126, 0).get(0).ids(), w.ids(0, w.length()), "the same ids");
        int[] cps = text.codePoints().toArray();
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < w.length(); i++) {
            // What Python's text[start:end] gives, with code point indexes.
            String piece = new String(cps, w.charStart(i), w.charEnd(i) - w.charStart(i));
            assertTrue(w.token(i).endsWith(piece) || piece.isEmpty() || w.token(i).isEmpty(),
                    "token " + i + " '" + w.token(i) + "' does not end with its span '" + piece + "'");
            joined.append(w.token(i));
        }
        int first = w.charStart(0);
        int last = w.charEnd(w.length() - 1);
        assertEquals(new String(cps, first, last - first), joined.toString());
        // The rocket after the emoji-free text: its span must point at the rocket in code points.
        int rocket = text.codePoints().boxed().toList().indexOf("🚀".codePointAt(0));
        int tokyoAt = text.codePoints().boxed().toList().indexOf("東".codePointAt(0));
        boolean rocketFound = false;
        for (int i = 0; i < w.length(); i++) {
            rocketFound |= w.charStart(i) == rocket;
            if (w.charStart(i) == tokyoAt) {
                assertEquals(" 東", w.token(i));
            }
        }
        assertTrue(rocketFound, "no token starts at the rocket (cp " + rocket + ")");
        WindowText cut = w.prefix(3);
        assertEquals(3, cut.length());
        assertEquals(w.token(2), cut.token(2));
    }

    @Test
    void bertFrameIdsMatchTheTokenizer() {
        // The catalog frames windows as [CLS]=101 ... [SEP]=102 with [PAD]=0.
        assertArrayEquals(new long[] {101}, tokenizer.ids("[CLS]"));
        assertArrayEquals(new long[] {102}, tokenizer.ids("[SEP]"));
        assertArrayEquals(new long[] {0}, tokenizer.ids("[PAD]"));
    }

    @Test
    void aTokenCoveringAHugeWordShowsOnlyItsStart() {
        String word = "a".repeat(100_000); // longer than WordPiece's 100: one [UNK] covering all of it
        WindowText w = tokenizer.texts(doc("before " + word + " after"), 126).get(0);
        org.junit.jupiter.api.Assertions.assertEquals(3, w.length());
        String shown = w.token(1);
        org.junit.jupiter.api.Assertions.assertEquals(WindowTokenizer.MAX_TOKEN_CHARS, shown.length());
        org.junit.jupiter.api.Assertions.assertTrue(shown.endsWith("\u2026") && shown.startsWith(" aaa"), shown);
        org.junit.jupiter.api.Assertions.assertEquals(7, w.charStart(1));
        org.junit.jupiter.api.Assertions.assertEquals(7 + 100_000, w.charEnd(1));
    }
}
