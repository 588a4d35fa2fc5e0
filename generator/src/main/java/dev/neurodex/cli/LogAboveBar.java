package dev.neurodex.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * A log for messages printed while the progress bar draws on the same stream: each message first clears the bar's
 * line (on a terminal) or ends it (in a log file), so a bad-record line never runs into the bar. The bar redraws
 * itself on the next line at its next update.
 */
final class LogAboveBar extends Writer {
    private final PrintWriter out;
    private final boolean console = System.console() != null;
    private volatile boolean barDrawn; // the bar drew on the current line since the last message
    private boolean lineStart = true;

    LogAboveBar(PrintWriter out) {
        this.out = out;
    }

    /** The progress bar drew itself (on the line a message would otherwise run into). */
    void barDrawn() {
        barDrawn = true;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (lineStart && barDrawn) {
                out.write(console ? "\r\033[K" : "\n");
                barDrawn = false;
            }
            out.write(buf[i]);
            lineStart = buf[i] == '\n';
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
