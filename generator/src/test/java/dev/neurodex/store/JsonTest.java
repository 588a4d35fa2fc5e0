package dev.neurodex.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    /** Corpus text inside the site's script files: line separators escaped, everything else as JSON has it. */
    @Test
    void scriptJsonEscapesTheLineSeparatorsOlderJavaScriptRejects() throws Exception {
        byte[] script = Json.script(json -> json.writeString("a\u2028b\u2029c \"é\" </script>"));
        assertEquals("\"a\\u2028b\\u2029c \\\"é\\\" </script>\"", new String(script, StandardCharsets.UTF_8));
    }
}
