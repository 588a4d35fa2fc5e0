package dev.neurodex.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The framing a tokenizer.json's post-processor adds to a single sequence ([CLS] … [SEP] for BERT), for models
 * known only as a graph (ONNX), where nothing else says how windows are to be framed. No post-processor means
 * no framing: the model is then taken as causal.
 */
public final class TokenizerFrame {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFrame() {}

    public static WindowFrame of(byte[] tokenizerJson, String origin) {
        try {
            JsonNode t = JSON.readTree(tokenizerJson);
            JsonNode post = t.path("post_processor");
            int pad = t.path("padding").path("pad_id").asInt(0);
            switch (post.path("type").asText("")) {
                case "BertProcessing", "RobertaProcessing" -> {
                    return new WindowFrame(new int[] {post.path("cls").get(1).asInt()},
                            new int[] {post.path("sep").get(1).asInt()}, pad);
                }
                case "TemplateProcessing" -> {
                    List<Integer> before = new ArrayList<>();
                    List<Integer> after = new ArrayList<>();
                    boolean seenSequence = false;
                    for (JsonNode piece : post.path("single")) {
                        if (piece.has("Sequence")) {
                            seenSequence = true;
                        } else {
                            String id = piece.path("SpecialToken").path("id").asText();
                            for (JsonNode tokenId : post.path("special_tokens").path(id).path("ids")) {
                                (seenSequence ? after : before).add(tokenId.asInt());
                            }
                        }
                    }
                    return new WindowFrame(ints(before), ints(after), pad);
                }
                default -> {
                    return new WindowFrame(new int[0], new int[0], pad);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelException(origin + ": cannot read the tokenizer's post-processor (" + e.getMessage() + ")", e);
        }
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
