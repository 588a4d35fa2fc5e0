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
 * Publishes one model into a site that may hold others. The model is built in a staging directory beside
 * {@code --out}; {@link #commit} then swaps in its folder ({@code <model>/}) and its search shards
 * ({@code search/<model>/}) by renaming, so a failed, interrupted or killed build leaves the previous site as it
 * was, and other models are never touched. The site-level pages are rewritten afterwards, file by file.
 */
public final class SitePublisher {
    /** Written into every site: a directory without it is not ours to write into. */
    public static final String MARKER = ".neurodex-site";
    private static final String STAGING = ".neurodex-staging-";
    private static final String RETIRED = ".neurodex-retired-";

    private final Path out;
    private final Path staging;
    private final String model;

    private SitePublisher(Path out, Path staging, String model) {
        this.out = out;
        this.staging = staging;
        this.model = model;
    }

    /** Checks that {@code out} may be written and creates the staging directory beside it. */
    public static SitePublisher begin(Path out, String model) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            if (Files.exists(target) && !isSite(target)) {
                throw new IllegalArgumentException("--out " + out + " exists and is not a neurodex site (no " + MARKER
                        + "); refusing to write into it");
            }
            recover(target);
            String prefix = STAGING + target.getFileName() + "-";
            cleanStale(parent, prefix);
            // The process id in the name tells a later build whether this one is still running.
            return new SitePublisher(target, Files.createTempDirectory(parent, prefix + ProcessHandle.current().pid() + "-"),
                    model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out, e);
        }
    }

    /** Where the build writes: the model's folder goes to {@code <staging>/<model>/}. */
    public Path staging() {
        return staging;
    }

    public Path out() {
        return out;
    }

    /** Swaps the model's folder and search shards in; the rest of the site is left as it is. */
    public void commit() {
        try {
            Files.createDirectories(out.resolve("search"));
            Files.writeString(out.resolve(MARKER), "built by neurodex\n");
            swap(staging.resolve(model), out.resolve(model));
            swap(staging.resolve("search").resolve(model), out.resolve("search").resolve(model));
            deleteTree(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + model + " to " + out, e);
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

    /** Writes one site-level file by renaming a finished temporary file over it. */
    public static void replaceFile(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".neurodex-", ".tmp");
            Files.write(temp, bytes);
            move(temp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void swap(Path fresh, Path current) throws IOException {
        if (!Files.exists(fresh)) {
            return;
        }
        Path retired = current.resolveSibling(RETIRED + current.getFileName() + "-" + System.nanoTime());
        if (Files.exists(current)) {
            move(current, retired);
        }
        move(fresh, current);
        deleteTree(retired);
    }

    private static boolean isSite(Path target) throws IOException {
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

    /**
     * A build killed between the two renames of a swap leaves a model folder retired and none in its place:
     * put it back. Any other retired folder is an old copy whose replacement is in place.
     */
    private static void recover(Path site) throws IOException {
        if (!Files.isDirectory(site)) {
            return;
        }
        for (Path dir : new Path[] {site, site.resolve("search")}) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path retired : entries.filter(p -> p.getFileName().toString().startsWith(RETIRED)).sorted().toList()) {
                    String name = retired.getFileName().toString().substring(RETIRED.length());
                    Path original = dir.resolve(name.substring(0, name.lastIndexOf('-')));
                    if (Files.exists(original)) {
                        deleteTree(retired);
                    } else {
                        move(retired, original);
                    }
                }
            }
        }
    }

    /**
     * Removes what killed or crashed builds of this site left behind: staging folders whose process is gone. A
     * build that is still running (another process writing another model into the same site) keeps its own.
     */
    private static void cleanStale(Path parent, String prefix) throws IOException {
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                // <pid>-<random> (or <random> from older versions); anything else is another site's, e.g. site-2's.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:([0-9]{1,18})-)?[0-9]+")
                        .matcher(p.getFileName().toString().substring(prefix.length()));
                if (!m.matches()) {
                    continue;
                }
                boolean alive = m.group(1) != null && ProcessHandle.of(Long.parseLong(m.group(1)))
                        .map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    deleteTree(p);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
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
