package dev.neurodex.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void aTokenIsLabelledWhenItsSpanOverlapsAMatch() {
        String text = "😀 In 1999, then 2024!";
        // code point spans of the tokens: 😀 | In | 19 | 99 | , | then | 2024 | !
        int[] starts = {0, 2, 5, 7, 9, 11, 16, 20};
        int[] ends = {1, 4, 7, 9, 10, 15, 20, 21};
        List<Probe> probes = List.of(Probe.parse("year=\\b(19|20)\\d\\d\\b"), Probe.parse("bang=!"), Probe.parse("none=xyz"),
                Probe.parse("empty=\\b"));
        long[] labels = Probe.labels(probes, text, starts, ends);
        assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0, 1, 2}, labels);
        assertEquals(null, Probe.labels(List.of(), text, starts, ends));
    }

    @Test
    void badSpecsAreUsageErrors() {
        assertEquals("--probe takes NAME=REGEX, got 'year'",
                assertThrows(IllegalArgumentException.class, () -> Probe.parse("year")).getMessage());
        assertEquals("--probe year: not a regular expression (Unclosed group)",
                assertThrows(IllegalArgumentException.class, () -> Probe.parse("year=(19")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Probe.parse("Bad Name=x"));
    }
}
