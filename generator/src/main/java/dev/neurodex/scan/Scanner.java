package dev.neurodex.scan;

import dev.neurodex.aggregate.ModelAggregate;
import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.HookedModel;
import dev.neurodex.model.NativeMemory;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowTokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The driver of one pass over the corpus: a reader thread reads and tokenizes documents into windows while
 * this thread batches windows of similar length, runs the model and aggregates the activations.
 *
 * <p>Windows are batched in pools of {@value #POOL_BATCHES} batches' worth by their order in the corpus: pool k
 * holds windows [k·P, (k+1)·P) and nothing else, sorted by length. A window is thus always run with the same
 * companions in a batch of the same shape, whether the corpus is scanned whole, resumed, or in parts cut at pool
 * boundaries; the engine's results depend on a batch's shape in their last bits, and so would the records.
 */
public final class Scanner {
    /** Windows pooled before sorting by length: enough for many batches, so that batches pad little. */
    private static final int POOL_BATCHES = 16;
    /** The windows of one document, with the reader's running totals after it (for progress and checkpoints). */
    private record Chunk(List<Window> windows, long documents, long bytesRead, long nextOrder, long readTokens) {}

    private static final Chunk END = new Chunk(List.of(), -1, -1, -1, -1);

    private final HookedModel model;
    private final WindowTokenizer tokenizer;
    private final ScanConfig config;
    // Where the scan's time went (this thread only), for the benchmark and the build summary.
    private long forwardNanos;
    private long aggregateNanos;
    private long waitNanos;
    private long positions;
    private int lastSeqLen;
    private long documentOffset; // a part's documents are numbered after those of the parts before it
    private long keepFrom = 0; // a part's windows: the order range it runs
    private long keepTo = Long.MAX_VALUE;

    public Scanner(HookedModel model, WindowTokenizer tokenizer, ScanConfig config) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        checkContext(config, model.info());
    }

    /** Fails unless the model takes windows of {@code config}'s context. */
    public static void checkContext(ScanConfig config, dev.neurodex.model.ModelInfo info) {
        if (config.context() > info.maxPositions()) {
            throw new IllegalArgumentException("--context " + config.context() + " exceeds the model's maximum of "
                    + info.maxPositions() + " positions");
        }
    }

    public ScanResult scan(CorpusReader corpus, ScanProgress progress) throws InterruptedException {
        return scan(corpus, progress, CheckpointPolicy.NONE, null);
    }

    /**
     * A part of a corpus: windows [fromOrder, toOrder), both multiples of {@link #poolWindows} (or the end), read
     * from the document holding the first of them, before which the corpus holds {@code documents} documents,
     * {@code order} windows and {@code tokens} content tokens.
     */
    public record PartStart(long documents, long order, long tokens, long fromOrder, long toOrder) {}

    /** Windows a pool holds: where parts of a corpus may be cut and still run the batches of a whole scan. */
    public static long poolWindows(int batchSize) {
        return (long) batchSize * POOL_BATCHES;
    }

    /**
     * Scans one part of a corpus ({@link CorpusReader#range}), its documents and windows numbered from where the
     * parts before it ended, so that the parts' merged states are exactly the state of a scan of the whole.
     * The result counts this part's documents, windows and tokens.
     */
    public ScanResult scanPart(CorpusReader part, PartStart start) throws InterruptedException {
        long pool = poolWindows(config.batchSize());
        if (start.fromOrder() % pool != 0 || start.toOrder() != Long.MAX_VALUE && start.toOrder() % pool != 0) {
            throw new IllegalArgumentException("a part must start and end at a pool boundary (" + pool + " windows): "
                    + start);
        }
        documentOffset = start.documents();
        keepFrom = start.fromOrder();
        keepTo = start.toOrder();
        Chunk begin = new Chunk(List.of(), 0, 0, start.order(), start.tokens());
        return scan(part, ScanProgress.NONE, CheckpointPolicy.NONE, null, begin);
    }

    /**
     * Scans the corpus, or its rest after {@code from} (null: from the beginning), writing checkpoints as
     * {@code checkpoints} says. Checkpoints are taken between pools, when every window read is aggregated or
     * pending, so a resumed scan runs the same pools in the same order as an uninterrupted one.
     */
    public ScanResult scan(CorpusReader corpus, ScanProgress progress, CheckpointPolicy checkpoints, Checkpoint from)
            throws InterruptedException {
        return scan(corpus, progress, checkpoints, from, null);
    }

    private ScanResult scan(CorpusReader corpus, ScanProgress progress, CheckpointPolicy checkpoints, Checkpoint from,
                            Chunk partStart) throws InterruptedException {
        long started = System.nanoTime();
        Chunk last = partStart != null ? partStart : from == null ? new Chunk(List.of(), 0, 0, 0, 0)
                : new Chunk(List.of(), from.documents(), from.bytesRead(), from.nextOrder(), from.readTokens());
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(1024);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Chunk resumeAt = last;
        Thread reader = new Thread(() -> produce(corpus, queue, failure, resumeAt), "corpus-reader");
        reader.setDaemon(true);
        reader.start();

        ModelAggregate aggregate = from == null
                ? ModelAggregate.of(model.units(), config.topK(), config.keep(), config.probes().size())
                : from.aggregate();
        List<Window> pool = new ArrayList<>();
        long poolSize = poolWindows(config.batchSize());
        long windows = from == null ? 0 : from.windows();
        long tokens = from == null ? 0 : from.tokens();
        long checkpointed = tokens;
        long bytesDone = last.bytesRead();
        try {
            // A resumed scan first pools the windows its checkpoint had read but not pooled, as the scan it continues
            // would have pooled them.
            Chunk chunk = from == null ? take(queue) : new Chunk(from.pending(), from.documents(), from.bytesRead(),
                    from.nextOrder(), from.readTokens());
            for (; chunk != END; chunk = take(queue)) {
                List<Window> read = chunk.windows();
                for (int i = 0; i < read.size(); i++) {
                    Window w = read.get(i);
                    if (!pool.isEmpty() && w.order() / poolSize != pool.get(0).order() / poolSize) {
                        // w starts the next pool: this one is whole, and runs.
                        tokens += runPool(byLength(pool), aggregate, progress, chunk, tokens, bytesDone);
                        bytesDone = chunk.bytesRead();
                        windows += pool.size();
                        pool.clear();
                        if (checkpoints.due(tokens - checkpointed)) {
                            // Between pools; the chunk's windows from w on are read but not yet pooled.
                            checkpoints.save(new Checkpoint(checkpoints.identity(), chunk.documents(), chunk.nextOrder(),
                                    chunk.readTokens(), windows, tokens, chunk.bytesRead(),
                                    List.copyOf(read.subList(i, read.size())), aggregate));
                            checkpointed = tokens;
                        }
                    }
                    pool.add(w);
                }
                last = chunk;
            }
            if (failure.get() != null) {
                throw rethrow(failure.get());
            }
            tokens += runPool(byLength(pool), aggregate, progress, last, tokens, bytesDone);
            windows += pool.size();
            progress.update(last.documents(), tokens, corpus.bytesRead());
        } finally {
            reader.interrupt();
        }
        return new ScanResult(aggregate, last.documents(), windows, tokens, (System.nanoTime() - started) / 1e9,
                new ScanResult.Phases(forwardNanos / 1e9, aggregateNanos / 1e9, waitNanos / 1e9, positions));
    }

    /** Sorts the pool by length (stable: equal lengths keep corpus order) and returns it. */
    private static List<Window> byLength(List<Window> pool) {
        pool.sort(Comparator.comparingInt(Window::length));
        return pool;
    }

    /** Runs windows sorted by length batch by batch, so a batch's windows need little padding. */
    private long runPool(List<Window> pool, ModelAggregate aggregate, ScanProgress progress, Chunk read,
                         long tokensBefore, long bytesBefore) {
        long poolTokens = Math.max(1, pool.stream().mapToLong(Window::length).sum());
        long tokens = 0;
        for (int from = 0; from < pool.size(); from += config.batchSize()) {
            List<Window> batch = pool.subList(from, Math.min(pool.size(), from + config.batchSize()));
            long t0 = System.nanoTime();
            long[] aggregating = {0, 0}; // nanoseconds in aggregation, positions per window
            // Each layer is aggregated as soon as the model has computed it, while the next layer waits.
            model.run(batch.stream().map(Window::ids).toList(), acts -> {
                long a0 = System.nanoTime();
                aggregate.add(acts, batch);
                aggregating[0] += System.nanoTime() - a0;
                aggregating[1] = acts.seqLen();
            });
            positions += batch.size() * aggregating[1];
            forwardNanos += System.nanoTime() - t0 - aggregating[0];
            aggregateNanos += aggregating[0];
            if (aggregating[1] != lastSeqLen) {
                // A new batch shape: PyTorch's freed blocks of the old one are of no use to it, so glibc gives
                // them back to the system instead of keeping them in a heap that grew with every shape seen.
                lastSeqLen = (int) aggregating[1];
                NativeMemory.trim();
            }
            for (Window w : batch) {
                tokens += w.length();
            }
            // The pool's bytes were read ahead of the model: count them done in proportion to its tokens.
            long bytes = bytesBefore + (read.bytesRead() - bytesBefore) * tokens / poolTokens;
            progress.update(read.documents(), tokensBefore + tokens, bytes);
        }
        return tokens;
    }

    private Chunk take(BlockingQueue<Chunk> queue) throws InterruptedException {
        long t0 = System.nanoTime();
        Chunk chunk = queue.take();
        waitNanos += System.nanoTime() - t0;
        return chunk;
    }

    /** Reads and tokenizes documents after those {@code resumeAt} counts as consumed (which are read, not tokenized). */
    private void produce(CorpusReader corpus, BlockingQueue<Chunk> queue, AtomicReference<Throwable> failure,
                         Chunk resumeAt) {
        int width = model.frame().contentTokens(config.context());
        long[] order = {resumeAt.nextOrder()};
        long[] tokens = {resumeAt.readTokens()};
        long[] documents = {0};
        try {
            corpus.read(doc -> {
                if (++documents[0] <= resumeAt.documents()) {
                    return true;
                }
                List<Window> windows = tokenizer.windows(doc, documentOffset + documents[0], width, order[0], config.probes());
                if (config.maxTokens() > 0) {
                    windows = cutAt(windows, config.maxTokens() - tokens[0]);
                }
                order[0] += windows.size();
                windows.forEach(w -> tokens[0] += w.length());
                if (keepFrom > 0 || keepTo < Long.MAX_VALUE) {
                    // A part that starts or ends inside this document runs only its own windows of it.
                    windows = windows.stream().filter(w -> w.order() >= keepFrom && w.order() < keepTo).toList();
                }
                put(queue, new Chunk(windows, documents[0], corpus.bytesRead(), order[0], tokens[0]));
                return config.maxTokens() == 0 || tokens[0] < config.maxTokens();
            });
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The windows up to a budget of content tokens; the last one may be cut short. */
    private static List<Window> cutAt(List<Window> windows, long budget) {
        List<Window> out = new ArrayList<>();
        for (Window w : windows) {
            if (budget <= 0) {
                break;
            }
            out.add(w.length() <= budget ? w : w.prefix((int) budget));
            budget -= w.length();
        }
        return out;
    }

    private static void put(BlockingQueue<Chunk> queue, Chunk chunk) {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("scan interrupted", e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
