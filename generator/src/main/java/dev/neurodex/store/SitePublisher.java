package dev.neurodex.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * Builds a site in a temporary directory beside {@code --out} and swaps it in only when complete, so that a
 * failed or interrupted build leaves the previous site exactly as it was.
 */
public final class SitePublisher {
    /** Written into every site: a directory without it is not ours to replace. */
    public static final String MARKER = ".neurodex-site";
    private static final String STAGING = ".neurodex-staging-";
    private static final String RETIRED = ".neurodex-retired-";

    private final Path out;
    private final Path staging;

    private SitePublisher(Path out, Path staging) {
        this.out = out;
        this.staging = staging;
    }

    /** Checks that {@code out} may be replaced and creates the staging directory beside it. */
    public static SitePublisher begin(Path out) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            recover(target);
            if (Files.exists(target) && !isReplaceable(target)) {
                throw new IllegalArgumentException("--out " + out + " exists and is not a neurodex site (no " + MARKER
                        + "); refusing to replace it");
            }
            cleanStale(parent, target.getFileName().toString());
            Path staging = Files.createTempDirectory(parent, STAGING + target.getFileName() + "-");
            Files.writeString(staging.resolve(MARKER), "built by neurodex\n");
            return new SitePublisher(target, staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out, e);
        }
    }

    public Path staging() {
        return staging;
    }

    /** Swaps the finished site in: the old one is moved aside, the new one renamed into place, the old deleted. */
    public void commit() {
        Path retired = out.resolveSibling(RETIRED + out.getFileName() + "-" + System.nanoTime());
        try {
            if (Files.exists(out)) {
                move(out, retired);
            }
            move(staging, out);
            if (Files.exists(retired)) {
                deleteTree(retired);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the site to " + out, e);
        }
    }

    /** Drops the staging directory; the previous site is untouched. */
    public void abandon() {
        try {
            deleteTree(staging);
        } catch (IOException e) {
            // Nothing more to do: the next build removes stale staging directories.
        }
    }

    private static boolean isReplaceable(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            return false;
        }
        if (Files.exists(target.resolve(MARKER))) {
            return true;
        }
        try (Stream<Path> entries = Files.list(target)) {
            // An empty folder, or the repository's site/ holding only its README, is fine to fill.
            return entries.allMatch(p -> p.getFileName().toString().equals("README.md"));
        }
    }

    /** A build killed between the two renames of {@link #commit} leaves the old site retired: put it back. */
    private static void recover(Path target) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            Path retired = siblings.filter(p -> p.getFileName().toString().startsWith(RETIRED + target.getFileName() + "-"))
                    .sorted().reduce((a, b) -> b).orElse(null);
            if (retired != null) {
                move(retired, target);
            }
        }
    }

    private static void cleanStale(Path parent, String name) throws IOException {
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : siblings.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(STAGING + name + "-") || n.startsWith(RETIRED + name + "-")) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
