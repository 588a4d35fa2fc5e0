package dev.neurodex.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Uniform samples of windows at moderate activations, chosen in the same single pass as the top-k.
 *
 * <p>Windows are bucketed by score in half-octaves ([1, 1.41), [1.41, 2), [2, 2.83) …; one bucket for scores
 * below 2^-10). Each (neuron, bucket) keeps the {@code size} windows with the smallest pseudo-random priority, a
 * hash of (window order, neuron): a uniform sample without replacement that needs no random state, is the same
 * on every run, and merges exactly (the union keeps the smallest priorities). Memory is bounded by
 * neurons × occupied buckets × size windows.
 */
final class IntervalSamples {
    static final int MIN_EXP = -10;
    static final int MAX_EXP = 13;
    static final int PER_OCTAVE = 2;
    static final int BUCKETS = 1 + (MAX_EXP - MIN_EXP + 1) * PER_OCTAVE;

    private final int size;
    private final Reservoir[][] reservoirs; // [neuron][bucket], null until used
    private final long[] windows; // [neuron * BUCKETS + bucket]: windows that scored in the bucket
    /**
     * [neuron * BUCKETS + bucket]: a window enters that reservoir only with a smaller priority (Long.MAX_VALUE while
     * it has room). Kept flat beside the reservoirs, so that the check every (window, neuron) makes reads one
     * array slot rather than following two references.
     */
    private final long[] admits;

    IntervalSamples(int neurons, int size) {
        this.size = size;
        this.reservoirs = new Reservoir[neurons][];
        this.windows = new long[neurons * BUCKETS];
        this.admits = new long[neurons * BUCKETS];
        Arrays.fill(admits, Long.MAX_VALUE);
    }

    /** A score's bucket: 0 for scores below 2^-10 (including negative ones), then half-octaves upwards. */
    static int bucket(float score) {
        if (!(score >= 0x1p-10f)) {
            return 0;
        }
        int exp = Math.min(Math.getExponent(score), MAX_EXP);
        int half = score >= Math.scalb(1.4142135f, exp) ? 1 : 0;
        return 1 + (exp - MIN_EXP) * PER_OCTAVE + half;
    }

    /** Lower bound of bucket {@code b}'s scores (−∞ for bucket 0). */
    static double lower(int b) {
        if (b == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        int i = b - 1;
        return Math.scalb(i % 2 == 0 ? 1.0 : Math.sqrt(2), i / 2 + MIN_EXP);
    }

    static double upper(int b) {
        return b == BUCKETS - 1 ? Double.POSITIVE_INFINITY : lower(b + 1);
    }

    static long priority(long order, int neuron) {
        long x = order * 0x9E3779B97F4A7C15L + neuron * 0xC2B2AE3D27D4EB4FL;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return (x ^ (x >>> 31)) >>> 1;
    }

    /**
     * Counts a window in its bucket and says whether {@link #offer} would keep it (a full reservoir keeps only
     * a smaller priority), so that the window's values are copied only then.
     */
    boolean tally(int n, float score, long order) {
        int slot = n * BUCKETS + bucket(score);
        windows[slot]++;
        return admits[slot] == Long.MAX_VALUE || priority(order, n) < admits[slot];
    }

    void offer(int n, float score, long order, Supplier<TopEntry> entry) {
        int b = bucket(score);
        Reservoir[] mine = reservoirs[n];
        if (mine == null) {
            mine = reservoirs[n] = new Reservoir[BUCKETS];
        }
        if (mine[b] == null) {
            mine[b] = new Reservoir(size);
        }
        mine[b].offer(priority(order, n), entry);
        admits[n * BUCKETS + b] = mine[b].admits();
    }

    void merge(IntervalSamples other) {
        for (int i = 0; i < windows.length; i++) {
            windows[i] += other.windows[i];
        }
        for (int n = 0; n < reservoirs.length; n++) {
            if (other.reservoirs[n] == null) {
                continue;
            }
            for (int b = 0; b < BUCKETS; b++) {
                Reservoir theirs = other.reservoirs[n][b];
                if (theirs == null) {
                    continue;
                }
                for (int i = 0; i < theirs.count; i++) {
                    TopEntry e = theirs.entries[i];
                    offer(n, e.score(), e.window().order(), () -> e);
                }
            }
        }
    }

    void write(StateOutput out) throws java.io.IOException {
        out.writeInt(reservoirs.length);
        out.writeInt(size);
        out.writeLongs(windows);
        for (Reservoir[] mine : reservoirs) {
            out.writeInt(mine == null ? 0 : 1);
            for (int b = 0; mine != null && b < BUCKETS; b++) {
                Reservoir r = mine[b];
                out.writeInt(r == null ? -1 : r.count);
                for (int i = 0; r != null && i < r.count; i++) {
                    out.writeLong(r.priorities[i]);
                    out.writeEntry(r.entries[i]);
                }
            }
        }
    }

    static IntervalSamples read(StateInput in) throws java.io.IOException {
        int neurons = in.readCount(TopK.MAX_NEURONS);
        IntervalSamples s = new IntervalSamples(neurons, in.readCount(1000));
        long[] windows = in.readLongs();
        System.arraycopy(windows, 0, s.windows, 0, s.windows.length);
        for (int n = 0; n < neurons; n++) {
            if (in.readInt() == 0) {
                continue;
            }
            Reservoir[] mine = s.reservoirs[n] = new Reservoir[BUCKETS];
            for (int b = 0; b < BUCKETS; b++) {
                int count = in.readInt();
                if (count < 0) {
                    continue;
                }
                Reservoir r = mine[b] = new Reservoir(s.size);
                for (int i = 0; i < count; i++) {
                    long priority = in.readLong();
                    TopEntry e = in.readEntry();
                    r.offer(priority, () -> e); // slots refill in order; the cached worst is recomputed
                }
                s.admits[n * BUCKETS + b] = r.admits();
            }
        }
        return s;
    }

    /** The sampled buckets of neuron {@code n}, highest first. */
    List<ScoreInterval> intervals(int n) {
        List<ScoreInterval> out = new ArrayList<>();
        if (reservoirs[n] == null) {
            return out;
        }
        for (int b = BUCKETS - 1; b >= 0; b--) {
            Reservoir r = reservoirs[n][b];
            if (r != null) {
                List<TopEntry> entries = new ArrayList<>(Arrays.asList(r.entries).subList(0, r.count));
                // Ties by the earlier window: a reservoir's slots fill in the order windows came, which a scan in
                // parts (merged) does not share with a scan in one pass.
                entries.sort(Comparator.comparingDouble((TopEntry e) -> -e.score())
                        .thenComparingLong(e -> e.window().order()));
                out.add(new ScoreInterval(lower(b), upper(b), windows[n * BUCKETS + b], entries));
            }
        }
        return out;
    }

    /** The kept windows of one (neuron, bucket): those with the smallest priorities, and how many were offered. */
    private static final class Reservoir {
        final TopEntry[] entries;
        final long[] priorities;
        int count;
        long worst = Long.MIN_VALUE; // the largest kept priority: checked for every (window, neuron)

        Reservoir(int size) {
            entries = new TopEntry[size];
            priorities = new long[size];
        }

        /** The priority a window must be below to enter; Long.MAX_VALUE while there is room. */
        long admits() {
            return count < entries.length ? Long.MAX_VALUE : worst;
        }

        void offer(long priority, Supplier<TopEntry> entry) {
            if (count < entries.length) {
                priorities[count] = priority;
                entries[count++] = entry.get();
                worst = Math.max(worst, priority);
                return;
            }
            if (priority >= worst) {
                return;
            }
            for (int i = 0; i < count; i++) {
                if (priorities[i] == worst) {
                    priorities[i] = priority;
                    entries[i] = entry.get();
                    break;
                }
            }
            worst = Long.MIN_VALUE;
            for (long p : priorities) {
                worst = Math.max(worst, p);
            }
        }
    }
}
