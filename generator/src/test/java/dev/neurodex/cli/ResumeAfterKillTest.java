package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.model.TinyCheckpoints;
import dev.neurodex.scan.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real build process killed with SIGKILL in the middle of its scan, then resumed from its last checkpoint,
 * publishes exactly the records of a build that was never interrupted, its SAE section's too.
 */
class ResumeAfterKillTest {
    private static final String MODEL = "gpt2-tiny";

    @TempDir
    Path dir;

    @Test
    void aKilledBuildResumesFromItsCheckpointToIdenticalRecords() throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("gpt2-tiny"));
        Path corpus = TestCorpus.write(dir.resolve("c.jsonl"), "test", texts(1500));
        Path sae = dir.resolve("res-sae");
        dev.neurodex.sae.RandomSae.write(sae, "blocks.1.hook_resid_pre", 16, 64, "topk", 4, 5);
        List<String> options = List.of("build", "--model", model.toString(), "--corpus", corpus.toString(),
                "--batch-size", "2", "--top-k", "4", "--threads", "1", "--quiet", "--sae", sae.toString());

        Path reference = dir.resolve("reference");
        assertEquals(0, Main.execute(args(options, "--out", reference.toString())));

        Path out = dir.resolve("site");
        Path checkpoint = dir.resolve(".neurodex-checkpoint-site-" + MODEL);
        killAfterFirstCheckpoint(args(options, "--out", out.toString(), "--checkpoint-every", "200"), checkpoint);
        Checkpoint saved = Checkpoint.read(checkpoint);
        long total = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(reference.resolve(MODEL + "/manifest.json").toFile()).at("/corpus/tokens").asLong();
        assertTrue(saved.tokens() > 0 && saved.tokens() < total, "killed mid-scan: " + saved.tokens() + " of " + total);
        assertFalse(Files.exists(out.resolve(MODEL)), "nothing was published by the killed build");

        // A resume with different options would not reproduce the run: it is refused and the checkpoint kept.
        List<String> otherK = new ArrayList<>(options);
        otherK.set(otherK.indexOf("--top-k") + 1, "5");
        String refused = stderrOf(() -> assertNotEquals(0, Main.execute(args(otherK, "--out", out.toString(), "--resume"))));
        assertTrue(refused.contains("--top-k: checkpoint 4, now 5"), refused);
        List<String> noSae = new ArrayList<>(options.subList(0, options.indexOf("--sae")));
        refused = stderrOf(() -> assertNotEquals(0, Main.execute(args(noSae, "--out", out.toString(), "--resume"))));
        assertTrue(refused.contains("--hook and --sae"), refused);
        assertTrue(Files.exists(checkpoint));

        String resumed = stderrOf(() -> assertEquals(0, Main.execute(args(options, "--out", out.toString(),
                "--resume", "--checkpoint-every", "200"))));
        assertTrue(resumed.contains("resuming from"), resumed);
        assertFalse(Files.exists(checkpoint), "the checkpoint is removed once the site is published");

        List<String> compared = new ArrayList<>();
        try (Stream<Path> files = Files.walk(reference.resolve(MODEL))) {
            for (Path ref : files.filter(Files::isRegularFile).toList()) {
                String name = ref.getFileName().toString();
                if (name.equals("manifest.json") || name.equals("index.html")) {
                    continue; // build time and scan speed differ by nature
                }
                Path mine = out.resolve(reference.relativize(ref));
                assertTrue(Files.exists(mine), "missing " + mine);
                assertTrue(java.util.Arrays.equals(Files.readAllBytes(ref), Files.readAllBytes(mine)), "differs: " + mine);
                compared.add(name);
            }
        }
        assertTrue(compared.contains("0.json") && compared.size() > 100, "compared " + compared.size() + " files");
        assertTrue(Files.exists(out.resolve(MODEL + "/res-sae/1/index.html")), "the SAE section was compared too");
    }

    /** Documents of random words and lengths, so that pools hold windows of many lengths. */
    private static String[] texts(int count) {
        Random random = new Random(3);
        String[] words = {"whale", "ship", "the", "sea", "captain", "rope", "storm", "deck", "{", "}", "=", "42", "harbor"};
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder();
            for (int w = 5 + random.nextInt(60); w > 0; w--) {
                b.append(words[random.nextInt(words.length)]).append(' ');
            }
            out[i] = b.toString().strip();
        }
        return out;
    }

    private static String[] args(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private void killAfterFirstCheckpoint(String[] args, Path checkpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.neurodex.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
        Process process = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(checkpoint) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(process.isAlive() && Files.exists(checkpoint),
                    "the build should still be scanning after its first checkpoint: " + Files.readString(dir.resolve("killed.log")));
            process.destroyForcibly(); // SIGKILL: nothing of the build's own runs
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String stderrOf(Runnable run) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
