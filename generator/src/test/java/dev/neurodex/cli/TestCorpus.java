package dev.neurodex.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a small JSON Lines corpus for tests, one document per text, all with the same source label. */
public final class TestCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestCorpus() {}

    public static Path write(Path file, String source, String... texts) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (String text : texts) {
            jsonl.append(JSON.writeValueAsString(Map.of("text", text, "meta", Map.of("pile_set_name", source))))
                    .append('\n');
        }
        return Files.writeString(file, jsonl);
    }
}
