package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurodex.store.SitePublisher;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real build process killed with SIGKILL while it writes pages leaves the previous site as it was. */
class KilledBuildTest {
    @TempDir
    Path dir;

    @Test
    void killedWhileWritingLeavesThePreviousSiteIntactAndTheNextBuildCleansUp() throws Exception {
        Path out = Files.createDirectories(dir.resolve("site"));
        Files.writeString(out.resolve(SitePublisher.MARKER), "built by neurodex\n");
        Files.writeString(out.resolve("index.html"), "previous site");
        Path corpus = Files.writeString(dir.resolve("c.txt"), "The previous site must survive. ".repeat(50));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.neurodex.cli.Main", "build", "--corpus", corpus.toString(), "--out", out.toString(), "--quiet");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("build.log").toFile());
        Process process = pb.start();
        try {
            Path pages = waitForPages(process);
            assertTrue(pages != null, "the build never started writing pages: " + Files.readString(dir.resolve("build.log")));
            process.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
        assertEquals("previous site", Files.readString(out.resolve("index.html")));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(2, files.count(), "nothing was added to the previous site");
        }
        // A stale staging directory is left beside it; the next build removes it before starting.
        assertEquals(1, staging().size());
        SitePublisher.begin(out, "all-minilm-l6-v2").abandon();
        assertEquals(List.of(), staging());
    }

    private List<Path> staging() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".neurodex-staging-")).toList();
        }
    }

    /** Waits until the staging directory holds neuron pages, i.e. the build is in its write phase. */
    private Path waitForPages(Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && process.isAlive()) {
            for (Path staging : staging()) {
                Path layer = staging.resolve("all-minilm-l6-v2" + File.separator + "0");
                if (Files.isDirectory(layer)) {
                    try (Stream<Path> pages = Files.list(layer)) {
                        if (pages.count() > 10) {
                            return layer;
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        return null;
    }
}
