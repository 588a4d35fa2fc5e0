package dev.neurodex.store;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Writes the files of one model's folder and remembers each one's size and sha256 for the manifest, so that
 * nothing has to be read back. Safe to call from several threads.
 */
public final class SiteFiles {
    private final Path root;
    private final boolean replacing;
    private final String prefix; // of paths in the list: a subfolder's files are listed from the outer root
    private final ConcurrentLinkedQueue<Manifest.SiteFile> written;
    /** Folders known to exist: createDirectories throws and catches an exception for one that does. */
    private final Set<Path> folders;

    /** Files of a folder being built (in staging: nothing reads them until the folder is swapped in). */
    public SiteFiles(Path root) {
        this(root, false);
    }

    private SiteFiles(Path root, boolean replacing) {
        this(root, replacing, "", new ConcurrentLinkedQueue<>(), ConcurrentHashMap.newKeySet());
    }

    private SiteFiles(Path root, boolean replacing, String prefix, ConcurrentLinkedQueue<Manifest.SiteFile> written,
                      Set<Path> folders) {
        this.root = root;
        this.replacing = replacing;
        this.prefix = prefix;
        this.written = written;
        this.folders = folders;
    }

    /** The files of subfolder {@code folder}, listed with this folder's (an SAE section's in its model's manifest). */
    public SiteFiles within(String folder) {
        return new SiteFiles(root.resolve(folder), replacing, prefix + folder + "/", written, folders);
    }

    /** Files of a live site: each is written beside its target and renamed over it, never seen half-written. */
    public static SiteFiles replacing(Path root) {
        return new SiteFiles(root, true);
    }

    public Path root() {
        return root;
    }

    /** Writes {@code bytes} to {@code path} (relative to the root, '/'-separated). */
    public void write(String path, byte[] bytes) {
        Path file = root.resolve(path);
        if (replacing) {
            SitePublisher.replaceFile(file, bytes);
        } else {
            try {
                if (!folders.contains(file.getParent())) {
                    folders.add(Files.createDirectories(file.getParent()));
                }
                // One write call: Files.write copies through 8 KB chunks, a syscall each (a site writes gigabytes).
                try (FileOutputStream out = new FileOutputStream(file.toFile())) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
        written.add(new Manifest.SiteFile(prefix + path, bytes.length, DigestUtils.sha256Hex(bytes)));
    }

    /** Lists files another writer wrote into this folder (on another machine), as it listed them. */
    public void adopt(List<Manifest.SiteFile> elsewhere) {
        written.addAll(elsewhere);
    }

    /** Every file written so far, sorted by path. */
    public List<Manifest.SiteFile> list() {
        return written.stream().sorted(Comparator.comparing(Manifest.SiteFile::path)).toList();
    }
}
