package dev.neurodex.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Checks a tokenizer.json before the native library sees it: the library answers a file that is JSON but no
 * tokenizer with a Rust enum's name, and a normalizer that multiplies the text (a Replace with a long content)
 * would take the whole process down on the first long document.
 */
final class TokenizerCheck {
    /**
     * Characters the native tokenizer may be handed for one piece of a document, after normalization: it aborts
     * the process between 10 and 20 million tokens in one call (see CorpusLimits.MAX_DOCUMENT_CHARS).
     */
    static final long MAX_NORMALIZED_CHARS = 1L << 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerCheck() {}

    static void check(byte[] json, String label, int maxInputChars) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new TokenizerException(label + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new TokenizerException(label + ": not a Hugging Face tokenizer (no \"model\" object)");
        }
        JsonNode model = root.path("model");
        String type = model.path("type").asText(model.has("merges") ? "BPE" : model.has("vocab") ? "WordPiece" : "");
        if (!type.matches("BPE|WordPiece|WordLevel|Unigram")) {
            throw new TokenizerException(label + ": model type \"" + type + "\" is not a tokenizer model neurodex "
                    + "knows (BPE, WordPiece, WordLevel, Unigram)");
        }
        long factor = expansion(root.path("normalizer"), label);
        if (factor * maxInputChars > MAX_NORMALIZED_CHARS) {
            throw new TokenizerException(label + ": its normalizer may make a text up to " + factor + " times longer; "
                    + "with --max-document-chars " + maxInputChars + " that is more than " + MAX_NORMALIZED_CHARS
                    + " characters for the tokenizer (lower --max-document-chars or fix the normalizer)");
        }
    }

    /** An upper bound on how many times longer a normalizer can make a text. */
    static long expansion(JsonNode normalizer, String label) {
        if (normalizer == null || normalizer.isMissingNode() || normalizer.isNull()) {
            return 1;
        }
        String type = normalizer.path("type").asText("");
        return switch (type) {
            case "Sequence" -> {
                long f = 1;
                for (JsonNode n : normalizer.path("normalizers")) {
                    f = Math.min(Long.MAX_VALUE / 1024, f * expansion(n, label));
                }
                yield f;
            }
            case "Replace" -> {
                long content = normalizer.path("content").asText("").length();
                JsonNode pattern = normalizer.path("pattern");
                long matched = pattern.has("String") ? pattern.path("String").asText("").length() : 0;
                // A regex may match the empty string, inserting the content between every two characters.
                yield matched > 0 ? Math.max(1, (content + matched - 1) / matched) : 1 + content;
            }
            case "Prepend" -> 1 + normalizer.path("prepend").asText("").length();
            case "NFKC", "NFKD", "Precompiled" -> 18; // U+FDFA decomposes into 18 code points
            case "NFC", "NFD" -> 4;
            case "BertNormalizer" -> 3 * 4; // spaces around CJK characters, accents stripped through NFD
            case "Lowercase" -> 3;
            case "ByteLevel" -> 4; // a character becomes one per UTF-8 byte
            case "Strip", "StripAccents", "Nmt" -> 1;
            default -> throw new TokenizerException(label + ": normalizer type \"" + type + "\" is unknown");
        };
    }
}
