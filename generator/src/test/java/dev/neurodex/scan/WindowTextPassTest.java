package dev.neurodex.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.cli.TestCorpus;
import dev.neurodex.corpus.BadRecords;
import dev.neurodex.corpus.CorpusException;
import dev.neurodex.corpus.CorpusLimits;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowRef;
import dev.neurodex.tokenize.WindowText;
import dev.neurodex.tokenize.WindowTexts;
import dev.neurodex.tokenize.WindowTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rereading of kept windows finds the very windows the scan ran, and notices a corpus that changed. */
class WindowTextPassTest {
    private static final int WIDTH = 6;
    private static WindowTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tokenizer = WindowTokenizer.load(WindowTextPassTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** The windows a scan of {@code corpus} makes, numbered as the scanner numbers them. */
    private static List<Window> scanWindows(Path corpus) {
        List<Window> windows = new ArrayList<>();
        long[] document = {0};
        new CorpusReader(List.of(corpus), new BadRecords(false, new PrintWriter(new StringWriter()))).read(doc -> {
            windows.addAll(tokenizer.windows(doc, ++document[0], WIDTH, windows.size()));
            return true;
        });
        return windows;
    }

    @Test
    void keptWindowsAreReadBackWithTheirTokensAndSpans() throws Exception {
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "t", "Call me Ishmael. Some years ago, never mind how long.",
                "", "The whale 🐳 surfaced.", "Short.");
        List<Window> windows = scanWindows(corpus);
        // Every other window, and the second one cut short as --max-tokens cuts the last window.
        List<WindowRef> needed = new ArrayList<>();
        for (int i = 0; i < windows.size(); i += 2) {
            needed.add(windows.get(i).ref());
        }
        needed.add(windows.get(1).prefix(2).ref());
        WindowTexts texts = WindowTextPass.read(List.of(corpus), CorpusLimits.DEFAULT, tokenizer, WIDTH, needed);
        assertEquals(needed.size(), texts.size());
        for (WindowRef ref : needed) {
            WindowText text = texts.get(ref);
            assertEquals(ref.length(), text.length());
            Window scanned = windows.get((int) ref.order());
            for (int i = 0; i < text.length(); i++) {
                assertEquals(scanned.ids()[i], text.id(i));
            }
        }
        WindowRef whaleRef = windows.stream().map(Window::ref).filter(r -> r.origin().line() == 3).findFirst().orElseThrow();
        WindowText whale = WindowTextPass.read(List.of(corpus), CorpusLimits.DEFAULT, tokenizer, WIDTH, List.of(whaleRef)).get(whaleRef);
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < whale.length(); i++) {
            joined.append(whale.token(i));
        }
        assertEquals("The whale 🐳 surfaced.", joined.toString(), "surface text, emoji included");
        assertEquals("The whale 🐳 surfaced.".codePointCount(0, 22), whale.charEnd(whale.length() - 1));
    }

    @Test
    void aCorpusThatChangedAfterTheScanIsAnErrorNamingTheDocument() throws Exception {
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "t", "one two three four five six seven", "eight nine ten");
        List<WindowRef> needed = scanWindows(corpus).stream().map(Window::ref).toList();
        TestCorpus.write(corpus, "t", "one two three four five six seven", "eight nine eleven");
        CorpusException e = assertThrows(CorpusException.class,
                () -> WindowTextPass.read(List.of(corpus), CorpusLimits.DEFAULT, tokenizer, WIDTH, needed));
        assertTrue(e.getMessage().contains("c.jsonl:2") && e.getMessage().contains("changed"), e.getMessage());
        Files.writeString(corpus, "{\"text\": \"one two three four five six seven\"}\n");
        e = assertThrows(CorpusException.class, () -> WindowTextPass.read(List.of(corpus), CorpusLimits.DEFAULT, tokenizer, WIDTH, needed));
        assertTrue(e.getMessage().contains("changed"), e.getMessage());
    }
}
