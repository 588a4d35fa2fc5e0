package dev.neurodex.store;

import java.util.Locale;
import java.util.Set;

/**
 * The names a model may take in a site: its folder sits beside the site's own files, so a model called
 * {@code search} or {@code assets} would overwrite other models' search index or the shared scripts.
 */
public final class SiteNames {
    /** Longer names make unwieldy URLs and, nested in a staging folder, can pass a file system's name limit. */
    public static final int MAX_LENGTH = 64;
    private static final Set<String> RESERVED = Set.of("index.html", "search.html", "assets", "search", "readme.md");

    private SiteNames() {}

    /** Why {@code name} cannot name a model in a site, or null if it can. */
    public static String problem(String name) {
        if (!name.matches("[a-z0-9][a-z0-9._-]*")) {
            return "must be a lowercase slug (a-z, 0-9, . _ -, starting with a letter or digit), got '" + name + "'";
        }
        if (name.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters, got " + name.length();
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT)) || name.startsWith("neurodex-")) {
            return "'" + name + "' is taken by the site's own files (" + String.join(", ", RESERVED.stream().sorted().toList())
                    + ")";
        }
        return null;
    }

    /** A safe slug from any text (a directory's name): lowercase, other characters as '-', cut to the length limit. */
    public static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-._]+", "");
        if (slug.length() > MAX_LENGTH) {
            slug = slug.substring(0, MAX_LENGTH);
        }
        slug = slug.replaceAll("[-.]+$", "");
        return slug.isEmpty() ? "model" : slug;
    }
}
