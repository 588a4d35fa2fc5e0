package dev.neurodex.corpus;

import java.util.Locale;

/** What a corpus file holds once its compression is removed, recognised by name. */
enum FileKind {
    JSON_LINES, TEXT, TAR, UNKNOWN;

    static FileKind of(String uncompressedName) {
        String lower = uncompressedName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
            return JSON_LINES;
        }
        if (lower.endsWith(".txt") || lower.endsWith(".text") || lower.endsWith(".md")) {
            return TEXT;
        }
        if (lower.endsWith(".tar")) {
            return TAR;
        }
        return UNKNOWN;
    }
}
