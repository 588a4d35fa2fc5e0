package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path dir;

    /** Runs the CLI with stderr captured (picocli writes usage errors there). */
    private static Result run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.execute(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private record Result(int code, String err) {}

    @Test
    void helpExitsZero() {
        assertEquals(0, run("build", "--help").code());
        assertEquals(0, run("--help").code());
    }

    @Test
    void usageErrorsExitTwoAndNameTheFlag() {
        Result unknown = run("build", "--no-such-flag");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--no-such-flag"), unknown.err());
        Result topK = run("build", "--top-k", "0");
        assertEquals(2, topK.code());
        assertTrue(topK.err().contains("--top-k"), topK.err());
        Result context = run("build", "--context", "2");
        assertEquals(2, context.code());
        assertTrue(context.err().contains("--context"), context.err());
        Result keep = run("build", "--keep-values", "0");
        assertEquals(2, keep.code());
        assertTrue(keep.err().contains("--keep-values"), keep.err());
        Result shape = run("random-model", "--shape", "gpt5", "--out", "x");
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--shape") && shape.err().contains("gpt2-small"), shape.err());
        assertEquals(2, run("random-model", "--shape", "pythia-70m", "--out", "x", "--layers", "7").code());
        assertEquals(2, run("build", "--batch-size", "many").code());
        assertEquals(2, run("build", "--batch-size", "-1").code());
        assertEquals(2, run().code());
    }

    @Test
    void aMissingCorpusFailsWithExitOneBeforeAnyWork() {
        Path out = dir.resolve("out");
        Result r = run("build", "--corpus", dir.resolve("missing.jsonl").toString(), "--out", out.toString(), "--quiet");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.jsonl"), r.err());
        assertTrue(!Files.exists(out), "nothing was created");
    }

    @Test
    void refusesToReplaceAFolderThatIsNotASite() throws Exception {
        Path out = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(out.resolve("thesis.tex"), "do not delete");
        Path corpus = Files.writeString(dir.resolve("c.txt"), "some text");
        Result r = run("build", "--corpus", corpus.toString(), "--out", out.toString(), "--quiet");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a neurodex site"), r.err());
        assertEquals("do not delete", Files.readString(out.resolve("thesis.tex")));
    }

    @Test
    void contextBeyondTheModelIsRefused() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "some text");
        Result r = run("build", "--corpus", corpus.toString(), "--out", dir.resolve("o").toString(), "--quiet",
                "--context", "513");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--context 513"), r.err());
    }
}
