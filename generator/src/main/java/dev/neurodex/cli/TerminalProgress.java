package dev.neurodex.cli;

import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.scan.ScanProgress;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr: corpus consumed (or tokens, under --max-tokens) with ETA, plus documents, tokens
 * and tokens/s. Without a terminal it prints a plain line every few seconds instead of redrawing.
 */
final class TerminalProgress implements ScanProgress {
    private final ProgressBar bar;
    private final long maxTokens;
    private final long started = System.nanoTime();

    private final LogAboveBar log;

    TerminalProgress(CorpusReader corpus, long maxTokens, LogAboveBar log) {
        this.maxTokens = maxTokens;
        this.log = log;
        long total = maxTokens > 0 ? maxTokens : corpus.totalBytes();
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName("scan")
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(System.console() == null ? 10_000 : 500)
                .continuousUpdate()
                .setMaxRenderedLength(120);
        if (maxTokens > 0) {
            builder.setUnit(" tok", 1);
        } else if (total > 1L << 30) {
            builder.setUnit(" MB", 1 << 20);
        } else {
            builder.setUnit(" KB", 1 << 10);
        }
        // Drawn through a consumer that tells the log, so a message clears or ends the bar's line first.
        builder.setConsumer(new ConsoleProgressBarConsumer(System.err, 120) {
            @Override
            public void accept(String rendered) {
                log.barDrawn();
                super.accept(rendered);
            }
        });
        this.bar = builder.build();
    }

    @Override
    public void update(long documents, long tokens, long corpusBytesRead) {
        double seconds = (System.nanoTime() - started) / 1e9;
        bar.stepTo(maxTokens > 0 ? tokens : corpusBytesRead);
        bar.setExtraMessage(String.format(Locale.ROOT, " %,d docs %,d tok %,.0f tok/s",
                documents, tokens, seconds > 0 ? tokens / seconds : 0));
    }

    @Override
    public void close() {
        bar.close();
    }
}
