package dev.neurodex.corpus;

import dev.neurodex.text.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects bad records: each is reported with its file and line, skipped and counted; in strict mode the
 * first one stops the build. Only the first few are printed so that a broken file does not flood the terminal.
 */
public final class BadRecords {
    private static final int PRINTED = 20;
    private final boolean strict;
    private final PrintWriter log;
    private final List<String> examples = new ArrayList<>();
    private long count;

    public BadRecords(boolean strict, PrintWriter log) {
        this.strict = strict;
        this.log = log;
    }

    public synchronized void report(String where, String reason) {
        String message = Printable.line(where + ": " + reason);
        if (strict) {
            throw new CorpusException("bad record at " + message + " (--strict stops at the first one)");
        }
        count++;
        if (examples.size() < PRINTED) {
            examples.add(message);
            log.println("skipped bad record at " + message);
        } else if (count == PRINTED + 1) {
            log.println("more bad records follow; only their count is kept");
        }
    }

    /** Counts {@code more} bad records reported elsewhere (by the parts of a distributed scan). */
    public synchronized void add(long more) {
        count += more;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized List<String> examples() {
        return Collections.unmodifiableList(new ArrayList<>(examples));
    }
}
