package dev.neurodex.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * A bounded top-k of windows for every neuron of a layer: one min-heap per neuron, its root the worst kept
 * window. {@link #threshold} lets the caller skip a neuron without touching its heap: a window whose score is
 * below it can never enter, which after the first few batches is true of nearly every (window, neuron).
 */
final class TopK {
    private final int k;
    private final TopEntry[][] heaps; // [neuron][slot], slot 0 the root
    private final int[] sizes;
    private final float[] threshold;

    /** More neurons than any layer has (GPT-2 XL: 6,400; the largest SAEs: 2^20); a checkpoint claiming more is damaged. */
    static final int MAX_NEURONS = 1 << 24;

    TopK(int neurons, int k) {
        this.k = k;
        this.heaps = new TopEntry[neurons][k];
        this.sizes = new int[neurons];
        this.threshold = new float[neurons];
        Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
    }

    /** A score below this cannot enter neuron {@code n}'s top-k. */
    float threshold(int n) {
        return threshold[n];
    }

    /** Offers a window; the values are only materialised if it enters. */
    void offer(int n, float score, long order, Supplier<TopEntry> entry) {
        TopEntry[] heap = heaps[n];
        if (sizes[n] < k) {
            heap[sizes[n]] = entry.get();
            siftUp(heap, sizes[n]++);
        } else if (TopEntry.better(score, order, heap[0].score(), heap[0].window().order())) {
            heap[0] = entry.get();
            siftDown(heap, 0, k);
        } else {
            return;
        }
        if (sizes[n] == k) {
            threshold[n] = heap[0].score();
        }
    }

    /** The kept windows of neuron {@code n}, best first. */
    List<TopEntry> sorted(int n) {
        List<TopEntry> out = new ArrayList<>(Arrays.asList(heaps[n]).subList(0, sizes[n]));
        out.sort(Comparator.comparing((TopEntry e) -> -e.score()).thenComparingLong(e -> e.window().order()));
        return out;
    }

    void merge(TopK other) {
        for (int n = 0; n < heaps.length; n++) {
            for (int i = 0; i < other.sizes[n]; i++) {
                TopEntry e = other.heaps[n][i];
                offer(n, e.score(), e.window().order(), () -> e);
            }
        }
    }

    /** Writes the heaps slot by slot, so that a restored TopK continues exactly as this one would. */
    void write(StateOutput out) throws java.io.IOException {
        out.writeInt(heaps.length);
        out.writeInt(k);
        for (int n = 0; n < heaps.length; n++) {
            out.writeInt(sizes[n]);
            for (int i = 0; i < sizes[n]; i++) {
                out.writeEntry(heaps[n][i]);
            }
        }
    }

    static TopK read(StateInput in) throws java.io.IOException {
        int neurons = in.readCount(MAX_NEURONS);
        TopK t = new TopK(neurons, in.readCount(dev.neurodex.scan.ScanConfig.MAX_TOP_K));
        for (int n = 0; n < neurons; n++) {
            t.sizes[n] = in.readCount(t.k);
            for (int i = 0; i < t.sizes[n]; i++) {
                t.heaps[n][i] = in.readEntry();
            }
            if (t.sizes[n] == t.k) {
                t.threshold[n] = t.heaps[n][0].score();
            }
        }
        return t;
    }

    private static boolean worse(TopEntry a, TopEntry b) {
        return TopEntry.better(b.score(), b.window().order(), a.score(), a.window().order());
    }

    private static void siftUp(TopEntry[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(heap[i], heap[parent])) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(TopEntry[] heap, int i, int size) {
        while (true) {
            int worst = i;
            for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
                if (worse(heap[child], heap[worst])) {
                    worst = child;
                }
            }
            if (worst == i) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(TopEntry[] heap, int a, int b) {
        TopEntry t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}
