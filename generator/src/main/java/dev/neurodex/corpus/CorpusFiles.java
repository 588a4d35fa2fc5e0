package dev.neurodex.corpus;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The files under one corpus root, in path order. Only regular files are read: symbolic links are skipped unless
 * asked for (so that a link cannot publish a file from outside the folder), FIFOs, devices and sockets always
 * (reading a FIFO waits for ever, a device never ends).
 *
 * @param files   the regular files to read
 * @param skipped everything else, each with why it was left out, relative to the root
 */
record CorpusFiles(List<Path> files, List<String> skipped) {

    /** Checks a root given on the command line: it must be a readable regular file or directory. */
    static void checkRoot(Path root) {
        if (!Files.exists(root)) {
            throw new CorpusException("corpus path does not exist: " + root);
        }
        if (!Files.isReadable(root)) {
            throw new CorpusException("corpus path is not readable: " + root);
        }
        if (!Files.isRegularFile(root) && !Files.isDirectory(root)) {
            throw new CorpusException("corpus path " + root + " is " + kind(root)
                    + ", not a file or directory; neurodex reads only regular files");
        }
    }

    static CorpusFiles under(Path root, boolean followSymlinks) {
        if (!Files.isDirectory(root)) {
            return new CorpusFiles(List.of(root), List.of());
        }
        List<Path> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Path start;
        try {
            start = root.toRealPath(); // the root itself was named by the user: a link there is followed
        } catch (IOException e) {
            throw new CorpusException("cannot list corpus directory " + root + ": " + e.getMessage(), e);
        }
        Set<FileVisitOption> options = followSymlinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : Set.of();
        try {
            Files.walkFileTree(start, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(root.resolve(relative(start, file)));
                    } else {
                        skipped.add(relative(start, file) + " (" + kind(file) + ")");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // A link cycle under --follow-symlinks, or a folder we may not read: say so, go on.
                    skipped.add(relative(start, file) + " (" + (e.getMessage() == null ? "unreadable" : "unreadable: "
                            + e.getClass().getSimpleName()) + ")");
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CorpusException("cannot list corpus directory " + root + ": " + e.getMessage(), e);
        }
        files.sort(null);
        skipped.sort(null);
        return new CorpusFiles(List.copyOf(files), List.copyOf(skipped));
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static String kind(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return "a symbolic link, not followed without --follow-symlinks";
            }
            if (a.isOther()) {
                return "a FIFO, device or socket";
            }
            return a.isDirectory() ? "a directory" : "not a regular file";
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
