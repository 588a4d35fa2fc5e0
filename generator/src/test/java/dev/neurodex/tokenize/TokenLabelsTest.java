package dev.neurodex.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenLabelsTest {
    @Test
    void byteLevelTokensThatAreNotWholeCharactersAreWrittenAsBytes() {
        byte[] json = Gpt2Vocabulary.bytesOnly();
        try (WindowTokenizer tokenizer = WindowTokenizer.load(new ByteArrayInputStream(json))) {
            TokenLabels labels = TokenLabels.of(json, tokenizer::token);
            assertEquals("\\xe2", labels.apply(0xE2));
            assertEquals("\\x80", labels.apply(0x80));
            assertNotEquals(labels.apply(0xE2), labels.apply(0x80), "decoded alone, both were \uFFFD");
            assertEquals("a", labels.apply('a'));
            assertEquals(" ", labels.apply(' '));
            assertEquals("\n", labels.apply('\n'));
            assertEquals("<|endoftext|>", labels.apply(256));
        }
        byte[] gpt2 = Gpt2Vocabulary.tokenizerJson();
        try (WindowTokenizer tokenizer = WindowTokenizer.load(new ByteArrayInputStream(gpt2))) {
            TokenLabels labels = TokenLabels.of(gpt2, tokenizer::token);
            assertEquals("Hello", labels.apply(15496));
            assertEquals(" world", labels.apply(995));
            for (long id : tokenizer.ids("€ 日本語 🦀")) { // characters GPT-2 splits between tokens
                String label = labels.apply((int) id);
                org.junit.jupiter.api.Assertions.assertFalse(label.contains("\uFFFD"), label);
            }
        }
    }

    @Test
    void sentencePieceAndWordPieceLabels() {
        String unigram = "{\"model\": {\"type\": \"Unigram\", \"byte_fallback\": true, \"vocab\": [[\"<unk>\", 0], "
                + "[\"\u2581the\", -1], [\"<0xE2>\", -2], [\"<0x0A>\", -3]]}, \"decoder\": {\"type\": \"Metaspace\"}}";
        TokenLabels labels = TokenLabels.of(unigram.getBytes(StandardCharsets.UTF_8), id -> "?");
        assertEquals(" the", labels.apply(1));
        assertEquals("\\xe2", labels.apply(2));
        assertEquals("\n", labels.apply(3));
        assertEquals("?", labels.apply(99));
        String wordPiece = "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"play\": 0, \"##ing\": 1}}}";
        labels = TokenLabels.of(wordPiece.getBytes(StandardCharsets.UTF_8), id -> "?");
        assertEquals("##ing", labels.apply(1));
    }

    @Test
    void displayMakesEveryTokenDistinctAndVisible() {
        assertEquals("\u2423the", TokenDisplay.of(" the"));
        assertEquals("\u21b5", TokenDisplay.of("\n"));
        assertEquals("\u21e5", TokenDisplay.of("\t"));
        assertEquals("\\x1b[2J", TokenDisplay.of("\u001b[2J"));
        assertEquals("\u2205", TokenDisplay.of(""));
        assertEquals("a\u241bb\nc", TokenDisplay.inText("a\u001bb\nc"));
        assertEquals("a\u241bb".length(), "a\u001bb".length());
    }
}
