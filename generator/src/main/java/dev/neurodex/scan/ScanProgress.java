package dev.neurodex.scan;

/** Told what the scan has done so far; the CLI draws a progress bar from it. */
public interface ScanProgress extends AutoCloseable {

    /** Called after each batch with running totals. */
    void update(long documents, long tokens, long corpusBytesRead);

    @Override
    void close();

    ScanProgress NONE = new ScanProgress() {
        @Override
        public void update(long documents, long tokens, long corpusBytesRead) {}

        @Override
        public void close() {}
    };
}
