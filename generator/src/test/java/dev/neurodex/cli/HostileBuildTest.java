package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.store.SitePublisher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, names and state files that used to end in an Error or a clobbered site: now one line each. */
class HostileBuildTest {
    @TempDir
    Path dir;

    private record Result(int code, String err) {}

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

    /** Exit code {@code code} and exactly one line: {@code neurodex: error: ...} holding {@code expected}. */
    private static void oneLine(int code, String expected, Result r) {
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("neurodex: error: ") && r.err().contains(expected), r.err());
    }

    private Path corpus() throws Exception {
        return Files.writeString(dir.resolve("c.txt"), "some text to read");
    }

    @Test
    void optionsThatWouldExhaustMemoryAreRefusedUpFront() throws Exception {
        String c = corpus().toString();
        String out = dir.resolve("site").toString();
        oneLine(2, "--top-k must be between 1 and 1000", run("build", "--corpus", c, "--out", out, "--top-k", "1000000000"));
        oneLine(2, "--keep-values must be between 1 and 4096", run("build", "--corpus", c, "--out", out, "--keep-values", "99999"));
        oneLine(2, "positions per forward pass", run("build", "--corpus", c, "--out", out, "--batch-size", "100000"));
        oneLine(2, "--threads must be between", run("build", "--corpus", c, "--out", out, "--threads", "100000"));
        oneLine(2, "--max-line-bytes", run("build", "--corpus", c, "--out", out, "--max-line-bytes", "lots"));
        // Allowed one by one, together too large for the heap: refused after the model loads, before the scan.
        oneLine(1, "the scan needs at least", run("build", "--corpus", c, "--out", out, "--quiet", "--top-k", "1000",
                "--keep-values", "4096"));
        assertFalse(Files.exists(dir.resolve("site")));
    }

    @Test
    void reservedAndOverlongNamesAreRefused() throws Exception {
        String c = corpus().toString();
        String out = dir.resolve("site").toString();
        for (String name : List.of("search", "assets", "index.html", "search.html")) {
            oneLine(2, "taken by the site's own files", run("build", "--corpus", c, "--out", out, "--name", name));
        }
        oneLine(2, "at most 64 characters", run("build", "--corpus", c, "--out", out, "--name", "a".repeat(300)));
        // A model folder called "Search" derives the reserved name: refused before a staging folder exists.
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("Search"));
        oneLine(1, "choose another with --name", run("build", "--model", model.toString(), "--corpus", c, "--out", out,
                "--quiet"));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".neurodex-")).toList());
        }
    }

    @Test
    void aDamagedCheckpointIsAnErrorNotAnOutOfMemoryError() throws Exception {
        String c = corpus().toString();
        Path out = dir.resolve("site");
        // Well-formed zstd (its checksum holds) whose first length claims 2 GB: it used to be allocated as claimed.
        Path file = dir.resolve(".neurodex-checkpoint-site-all-minilm-l6-v2");
        try (var raw = Files.newOutputStream(file)) {
            raw.write(dev.neurodex.scan.Checkpoint.MAGIC.getBytes(StandardCharsets.US_ASCII));
            try (var zstd = new com.github.luben.zstd.ZstdOutputStream(raw);
                 var data = new java.io.DataOutputStream(zstd)) {
                zstd.setChecksum(true);
                data.writeInt(Integer.MAX_VALUE - 16);
                data.write(new byte[1000]);
            }
        }
        Result damaged = run("build", "--corpus", c, "--out", out.toString(), "--quiet", "--resume");
        oneLine(1, "damaged state: a length of", damaged);
        byte[] junk = new byte[1 << 16];
        new Random(3).nextBytes(junk);
        Files.write(file, junk, java.nio.file.StandardOpenOption.APPEND);
        oneLine(1, "cannot read the checkpoint", run("build", "--corpus", c, "--out", out.toString(), "--quiet", "--resume"));
    }

    @Test
    void aNanWeightIsCountedOnThePageNotACrash() throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("nan-model"));
        var shapes = dev.neurodex.model.gpt2.Gpt2ModelTest.shapes("");
        var weights = TinyCheckpoints.random(shapes, 9);
        weights.get("h.1.mlp.c_fc.weight")[3] = Float.NaN; // in layer 1 (of 2), feeding neuron 3
        try (var manager = dev.neurodex.model.OfflineEngine.newManager(1)) {
            TinyCheckpoints.writeWithDjl(model.resolve("model.safetensors"), shapes, weights, manager);
        }
        Path out = dir.resolve("site");
        Result r = run("build", "--model", model.toString(), "--corpus", corpus().toString(), "--out", out.toString(),
                "--quiet", "--context", "16");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var nan = json.readTree(out.resolve("nan-model/1/3.json").toFile());
        assertTrue(nan.at("/stats/nonFinite").asLong() > 0, nan.toString());
        assertEquals(nan.at("/stats/tokens").asLong(), nan.at("/stats/nonFinite").asLong());
        assertEquals(0, json.readTree(out.resolve("nan-model/0/3.json").toFile()).at("/stats/nonFinite").asLong());
        assertTrue(Files.readString(out.resolve("nan-model/1/3.html")).contains("non-finite"));
    }

    @Test
    void staleStagingFoldersOfDeadBuildsAreRemovedOthersKept() throws Exception {
        Path out = dir.resolve("site");
        Path dead = Files.createDirectories(dir.resolve(".neurodex-staging-site-999999999-123"));
        Path legacy = Files.createDirectories(dir.resolve(".neurodex-staging-site-4567"));
        Path running = Files.createDirectories(dir.resolve(".neurodex-staging-site-" + ProcessHandle.current().pid() + "-5"));
        Path otherSite = Files.createDirectories(dir.resolve(".neurodex-staging-site-2-99-5"));
        SitePublisher publisher = SitePublisher.begin(out, "m");
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(legacy));
        assertTrue(Files.exists(running), "a running build keeps its staging folder");
        assertTrue(Files.exists(otherSite), "another site's staging folder is not ours");
        publisher.abandon();
        assertFalse(Files.exists(publisher.staging()));
    }
}
