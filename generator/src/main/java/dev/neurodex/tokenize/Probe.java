package dev.neurodex.tokenize;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hypothesis to test neurons against ({@code --probe NAME=REGEX}): a content token carries the label when its
 * text span overlaps a match of the pattern in its document (a piece of it, for documents cut by
 * --max-document-chars). Spans are in code points, as the examples give them.
 */
public record Probe(String name, Pattern pattern) {

    /** Labels per token are bits of a long: at most this many probes in one build. */
    public static final int MAX = 64;

    public Probe {
        if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("--probe name must be a lowercase slug of at most 32 characters "
                    + "(a-z, 0-9, _ -), got '" + name + "'");
        }
    }

    /** {@code NAME=REGEX}, as the command line gives it. */
    public static Probe parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("--probe takes NAME=REGEX, got '" + spec + "'");
        }
        try {
            return new Probe(spec.substring(0, eq), Pattern.compile(spec.substring(eq + 1)));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("--probe " + spec.substring(0, eq) + ": not a regular expression ("
                    + e.getDescription() + ")");
        }
    }

    /** The spec back, for checkpoints and the manifest. */
    public String spec() {
        return name + "=" + pattern.pattern();
    }

    /**
     * Labels of tokens with code point spans [starts[i], ends[i]) in {@code text}: bit p of entry i is set when
     * token i overlaps a non-empty match of probe p. Null when there are no probes.
     */
    static long[] labels(List<Probe> probes, String text, int[] starts, int[] ends) {
        if (probes.isEmpty()) {
            return null;
        }
        long[] labels = new long[starts.length];
        for (int p = 0; p < probes.size(); p++) {
            Matcher m = probes.get(p).pattern().matcher(text);
            int token = 0;
            int charAt = 0; // matches come in order: code points are counted from the previous one on
            int pointAt = 0;
            while (m.find() && token < starts.length) {
                if (m.end() == m.start()) {
                    continue; // an empty match covers no character
                }
                int from = pointAt + text.codePointCount(charAt, m.start());
                int to = from + text.codePointCount(m.start(), m.end());
                charAt = m.start();
                pointAt = from;
                while (token < starts.length && ends[token] <= from) {
                    token++; // tokens before the match (spans are in order)
                }
                for (int t = token; t < starts.length && starts[t] < to; t++) {
                    if (ends[t] > from) {
                        labels[t] |= 1L << p;
                    }
                }
            }
        }
        return labels;
    }
}
