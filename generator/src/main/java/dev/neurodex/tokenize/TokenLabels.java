package dev.neurodex.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each token id as the bytes it stands for, read from tokenizer.json itself. Decoding one id through the tokenizer
 * turns every byte-level token that is not a whole UTF-8 character (GPT-2, Pythia, Llama 3) into the same "�", so
 * that a table of such tokens is a column of identical marks; here such a byte is written {@code \xe2}.
 */
public final class TokenLabels implements IntFunction<String> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BYTE_FALLBACK = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private final Map<Integer, String> labels;
    private final IntFunction<String> fallback;

    private TokenLabels(Map<Integer, String> labels, IntFunction<String> fallback) {
        this.labels = labels;
        this.fallback = fallback;
    }

    /** Labels from tokenizer.json, ids it does not list decoded by {@code tokenizer} (once each). */
    public static TokenLabels of(byte[] tokenizerJson, WindowTokenizer tokenizer) {
        Map<Integer, String> decoded = new java.util.concurrent.ConcurrentHashMap<>();
        return of(tokenizerJson, id -> decoded.computeIfAbsent(id, tokenizer::token));
    }

    /** @param fallback for ids tokenizer.json's vocabulary does not list (decoded by the tokenizer) */
    public static TokenLabels of(byte[] tokenizerJson, IntFunction<String> fallback) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean byteLevel = mentions(root.path("decoder"), "ByteLevel") || mentions(root.path("pre_tokenizer"), "ByteLevel");
        boolean metaspace = mentions(root.path("decoder"), "Metaspace") || mentions(root.path("pre_tokenizer"), "Metaspace")
                || root.path("decoder").toString().contains("\u2581");
        int[] byteOf = new int[0x180];
        java.util.Arrays.fill(byteOf, -1);
        char[] chars = Gpt2Vocabulary.byteChars();
        for (int b = 0; b < 256; b++) {
            byteOf[chars[b]] = b;
        }
        Map<Integer, String> labels = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                labels.put(e.getValue().asInt(), label(e.getKey(), byteLevel, metaspace, byteOf));
            }
        } else if (vocab.isArray()) { // Unigram: [piece, score] by id
            for (int id = 0; id < vocab.size(); id++) {
                labels.put(id, label(vocab.get(id).path(0).asText(), byteLevel, metaspace, byteOf));
            }
        }
        for (JsonNode added : root.path("added_tokens")) {
            labels.put(added.path("id").asInt(), added.path("content").asText()); // special tokens stand as written
        }
        return new TokenLabels(labels, fallback);
    }

    @Override
    public String apply(int id) {
        String label = labels.get(id);
        return label != null ? label : fallback.apply(id);
    }

    private static String label(String piece, boolean byteLevel, boolean metaspace, int[] byteOf) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(piece.length());
        if (byteLevel) {
            for (int i = 0; i < piece.length(); i++) {
                char c = piece.charAt(i);
                int b = c < byteOf.length ? byteOf[c] : -1;
                if (b < 0) {
                    return piece; // not a byte-level piece after all (an added token in the vocabulary)
                }
                bytes.write(b);
            }
            return utf8(bytes.toByteArray());
        }
        Matcher m = BYTE_FALLBACK.matcher(piece);
        if (m.matches()) { // SentencePiece's byte fallback, as in Llama 2 and Gemma
            return utf8(new byte[] {(byte) Integer.parseInt(m.group(1), 16)});
        }
        return metaspace ? piece.replace('\u2581', ' ') : piece;
    }

    /** UTF-8 decoded, with every byte that is not part of a whole character written as {@code \xNN}. */
    static String utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 4);
        StringBuilder s = new StringBuilder();
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            out.flip();
            s.append(out);
            out.clear();
            if (r.isUnderflow()) {
                if (in.hasRemaining()) { // an incomplete character at the end
                    while (in.hasRemaining()) {
                        s.append(String.format("\\x%02x", in.get() & 0xFF));
                    }
                }
                return s.toString();
            }
            for (int i = 0; i < r.length(); i++) {
                s.append(String.format("\\x%02x", in.get() & 0xFF));
            }
        }
    }

    private static boolean mentions(JsonNode node, String type) {
        if (node.isObject()) {
            if (type.equals(node.path("type").asText())) {
                return true;
            }
            for (JsonNode child : node) {
                if (mentions(child, type)) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                if (mentions(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }
}
