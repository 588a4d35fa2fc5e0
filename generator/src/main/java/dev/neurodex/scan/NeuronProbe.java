package dev.neurodex.scan;

import dev.neurodex.corpus.CorpusReader;
import dev.neurodex.model.HookedModel;
import dev.neurodex.tokenize.Probe;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One neuron against one probe, exactly: the corpus runs through the model (as a build's scan does) and the
 * neuron's activation at every content token is kept with the token's label, for the exact AUROC, the best-F1
 * threshold over the actual values, and the worst misses as examples. Memory is 4 bytes and a bit per token:
 * bound it with --max-tokens for very large corpora.
 */
public final class NeuronProbe {

    /** A token the neuron gets wrong: where, and its activation. */
    public record Miss(float value, Window window, int position) {}

    /**
     * @param tokens         content tokens scanned; {@code labelled} of them carry the label
     * @param falsePositives unlabelled tokens with the highest activations, highest first
     * @param falseNegatives labelled tokens with the lowest activations, lowest first
     */
    public record Result(long tokens, long labelled, double auroc, double threshold, double precision, double recall,
                         double f1, double meanOn, double meanOff, List<Miss> falsePositives,
                         List<Miss> falseNegatives) {}

    private NeuronProbe() {}

    public static Result run(HookedModel model, WindowTokenizer tokenizer, CorpusReader corpus, ScanConfig config,
                             int layer, int neuron, Probe probe, int examples) {
        int width = model.frame().contentTokens(config.context());
        FloatList on = new FloatList();
        FloatList off = new FloatList();
        // Worst misses so far: the heads are the least bad of those kept, dropped when a worse one comes.
        PriorityQueue<Miss> fp = new PriorityQueue<>(Comparator.comparingDouble(Miss::value));
        PriorityQueue<Miss> fn = new PriorityQueue<>(Comparator.comparingDouble(Miss::value).reversed());
        List<Window> batch = new ArrayList<>();
        long[] counts = {0, 0}; // documents, tokens
        Runnable flush = () -> {
            if (batch.isEmpty()) {
                return;
            }
            model.run(batch.stream().map(Window::ids).toList(), acts -> {
                if (acts.layer() != layer) {
                    return;
                }
                for (int b = 0; b < batch.size(); b++) {
                    Window w = batch.get(b);
                    for (int pos = 0; pos < w.length(); pos++) {
                        float v = acts.value(b, pos, neuron);
                        if (!Float.isFinite(v)) {
                            continue;
                        }
                        boolean labelled = (w.labels()[pos] & 1) != 0;
                        (labelled ? on : off).add(v);
                        keep(labelled ? fn : fp, new Miss(v, w, pos), examples);
                    }
                }
            });
            batch.clear();
        };
        corpus.read(doc -> {
            for (Window w : tokenizer.windows(doc, ++counts[0], width, 0, List.of(probe))) {
                if (config.maxTokens() > 0 && counts[1] + w.length() > config.maxTokens()) {
                    w = w.prefix((int) (config.maxTokens() - counts[1]));
                }
                if (w.length() == 0) {
                    break;
                }
                counts[1] += w.length();
                batch.add(w);
                if (batch.size() == config.batchSize()) {
                    flush.run();
                }
            }
            return config.maxTokens() == 0 || counts[1] < config.maxTokens();
        });
        flush.run();
        return score(on.sorted(), off.sorted(), sorted(fp, true), sorted(fn, false));
    }

    private static void keep(PriorityQueue<Miss> worst, Miss m, int k) {
        worst.add(m);
        if (worst.size() > k) {
            worst.poll();
        }
    }

    private static List<Miss> sorted(PriorityQueue<Miss> q, boolean highestFirst) {
        List<Miss> list = new ArrayList<>(q);
        list.sort(highestFirst ? Comparator.comparingDouble(Miss::value).reversed() : Comparator.comparingDouble(Miss::value));
        return list;
    }

    /** Exact figures from the sorted activations on and off the label. */
    static Result score(float[] on, float[] off, List<Miss> fp, List<Miss> fn) {
        long p = on.length;
        long n = off.length;
        long tokens = p + n;
        if (p == 0 || n == 0) {
            return new Result(tokens, p, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, mean(on), mean(off),
                    fp, fn);
        }
        // Mann-Whitney: for each labelled value, the unlabelled values below it, ties counting half.
        double above = 0;
        int below = 0;
        int equalEnd = 0;
        for (float v : on) {
            while (below < off.length && off[below] < v) {
                below++;
            }
            equalEnd = Math.max(equalEnd, below);
            while (equalEnd < off.length && off[equalEnd] == v) {
                equalEnd++;
            }
            above += below + 0.5 * (equalEnd - below);
        }
        // Best F1 over thresholds "activation >= t" at every distinct value, from the top.
        int i = on.length - 1;
        int j = off.length - 1;
        double best = -1;
        double threshold = Double.NaN;
        double precision = 0;
        double recall = 0;
        while (i >= 0) {
            float t = Math.max(on[i], j >= 0 ? off[j] : Float.NEGATIVE_INFINITY);
            while (i >= 0 && on[i] >= t) {
                i--;
            }
            while (j >= 0 && off[j] >= t) {
                j--;
            }
            double tp = on.length - 1 - i;
            double fpCount = off.length - 1 - j;
            double pr = tp / (tp + fpCount);
            double rc = tp / p;
            double f1 = tp == 0 ? 0 : 2 * pr * rc / (pr + rc);
            if (f1 > best) {
                best = f1;
                threshold = t;
                precision = pr;
                recall = rc;
            }
        }
        return new Result(tokens, p, above / ((double) p * n), threshold, precision, recall, best, mean(on), mean(off),
                fp, fn);
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return a.length == 0 ? Double.NaN : s / a.length;
    }

    /** A growable float array: a list of boxed floats would take five times the memory. */
    private static final class FloatList {
        private float[] a = new float[1 << 12];
        private int size;

        void add(float v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        float[] sorted() {
            float[] s = Arrays.copyOf(a, size);
            Arrays.sort(s);
            return s;
        }
    }
}
