package dev.neurodex.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's byte-level BPE as a Hugging Face tokenizer.json, built from the BPE ranks OpenAI published for it
 * ({@code r50k_base}, shipped in the jtokkit jar): 50,256 byte sequences by rank, plus {@code <|endoftext|>} = 50256.
 * Random checkpoints with real shapes use it so that token counts, vocabulary size and byte-level token text are
 * those of GPT-2, with nothing downloaded.
 */
public final class Gpt2Vocabulary {
    static final String RANKS = "/com/knuddels/jtokkit/r50k_base.tiktoken";
    public static final int END_OF_TEXT = 50256;
    public static final int SIZE = 50257;

    private Gpt2Vocabulary() {}

    /** The tokenizer.json bytes. */
    public static byte[] tokenizerJson() {
        Map<String, Integer> ranks = ranks();
        return tokenizerJson(ranks, merges(ranks));
    }

    /**
     * GPT-2's BPE cut to a vocabulary of {@code size} ids: the {@code size − 1} lowest ranks (every token's parts
     * rank lower, so the merges stay whole) and {@code <|endoftext|>} last. For shapes with a smaller embedding
     * than GPT-2's, such as TinyLlama's 32,000.
     */
    public static byte[] tokenizerJson(int size) {
        if (size >= SIZE) {
            return tokenizerJson();
        }
        if (size < 257) {
            throw new IllegalArgumentException("a byte-level vocabulary needs at least 257 ids, got " + size);
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        ranks().forEach((token, rank) -> {
            if (rank < size - 1) {
                ranks.put(token, rank);
            }
        });
        return tokenizerJson(ranks, merges(ranks));
    }

    /** GPT-2's byte level with no merges: 256 byte tokens and {@code <|endoftext|>} = 256, a 257-token vocabulary. */
    public static byte[] bytesOnly() {
        char[] byteChar = byteChars();
        Map<String, Integer> bytes = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            bytes.put(String.valueOf(byteChar[b]), b);
        }
        return tokenizerJson(bytes, List.of());
    }

    private static byte[] tokenizerJson(Map<String, Integer> ranks, List<String> mergeList) {
        int endOfText = ranks.size();
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode eot = root.putArray("added_tokens").addObject();
        eot.put("id", endOfText).put("content", "<|endoftext|>").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", true).put("special", true);
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(json, false, true));
        root.set("post_processor", byteLevel(json, true, false));
        root.set("decoder", byteLevel(json, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
                .put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        ranks.forEach(vocab::put);
        vocab.put("<|endoftext|>", endOfText);
        ArrayNode merges = model.putArray("merges");
        mergeList.forEach(merges::add);
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode byteLevel(ObjectMapper json, boolean addPrefixSpace, boolean trimOffsets) {
        return json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", true);
    }

    /** Each token in byte-level form (one character per byte, GPT-2's mapping), by rank. */
    static Map<String, Integer> ranks() {
        char[] byteChar = byteChars();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        try (InputStream in = Gpt2Vocabulary.class.getResourceAsStream(RANKS)) {
            if (in == null) {
                throw new IllegalStateException(RANKS + " is missing from the classpath (com.knuddels:jtokkit)");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int space = line.indexOf(' ');
                byte[] bytes = Base64.getDecoder().decode(line.substring(0, space));
                StringBuilder token = new StringBuilder(bytes.length);
                for (byte b : bytes) {
                    token.append(byteChar[b & 0xFF]);
                }
                ranks.put(token.toString(), Integer.parseInt(line.substring(space + 1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ranks;
    }

    /**
     * Merges that rebuild each token from two lower-ranked ones, ordered by the rank of what they make: every
     * split of a token into two known tokens, as Hugging Face's converter of tiktoken files does.
     */
    static List<String> merges(Map<String, Integer> ranks) {
        record Merge(String left, String right, int rank, int leftRank, int rightRank) {}
        List<Merge> merges = new ArrayList<>();
        ranks.forEach((token, rank) -> {
            for (int i = 1; i < token.length(); i++) {
                Integer left = ranks.get(token.substring(0, i));
                Integer right = ranks.get(token.substring(i));
                if (left != null && right != null) {
                    merges.add(new Merge(token.substring(0, i), token.substring(i), rank, left, right));
                }
            }
        });
        merges.sort(Comparator.comparingInt(Merge::rank).thenComparingInt(Merge::leftRank)
                .thenComparingInt(Merge::rightRank));
        return merges.stream().map(m -> m.left() + " " + m.right()).toList();
    }

    /**
     * GPT-2's bytes_to_unicode: printable bytes stand for themselves, the other 68 map to U+0100 upwards, so
     * every byte is a visible character and a space becomes "Ġ".
     */
    static char[] byteChars() {
        char[] out = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? (char) b : (char) next++;
        }
        return out;
    }
}
