package dev.neurodex.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Each neuron's neighbours by weights alone, computed once per model: the neurons of its layer whose output
 * directions are most alike (cosine of write directions), and across layers the strongest connections by virtual
 * weight, the cosine of an earlier neuron's write direction with a later neuron's read direction (both defined in
 * {@link MlpDirections}): {@code upstream} are the earlier neurons whose output this neuron reads most,
 * {@code downstream} the later neurons that read its output most, by absolute value, signed.
 */
public final class NeuronNeighbours implements java.io.Serializable {
    private final int layers;
    private final int neurons;
    private final int k;
    private final Lists similar;
    private final Lists upstream;
    private final Lists downstream;

    /** One neighbour: a neuron and the cosine that links it. */
    public record Link(int layer, int neuron, float value) {}

    private NeuronNeighbours(int layers, int neurons, int k) {
        this.layers = layers;
        this.neurons = neurons;
        this.k = k;
        this.similar = new Lists(layers * neurons, k, false);
        this.upstream = new Lists(layers * neurons, k, true);
        this.downstream = new Lists(layers * neurons, k, true);
    }

    public java.util.List<Link> similar(int layer, int neuron) {
        return similar.sorted(layer * neurons + neuron);
    }

    public java.util.List<Link> upstream(int layer, int neuron) {
        return upstream.sorted(layer * neurons + neuron);
    }

    public java.util.List<Link> downstream(int layer, int neuron) {
        return downstream.sorted(layer * neurons + neuron);
    }

    /** Neighbours kept per neuron and kind. */
    public static final int K = 10;

    /** The neighbours of a model whose weights neurodex holds, or null (an ONNX graph). */
    public static NeuronNeighbours of(HookedModel model) {
        return model instanceof MlpDirections directions
                ? compute(directions, model.info().layers(), model.info().dMlp(), K) : null;
    }

    /** Rows of this many neurons at a time: a chunk × d_mlp block of cosines is alive at once. */
    private static final int CHUNK = 512;

    public static NeuronNeighbours compute(MlpDirections model, int layers, int neurons, int k) {
        if (layers >= 128 || neurons >= 1 << 24) {
            throw new IllegalArgumentException("neighbours: at most 127 layers of 2^24 neurons");
        }
        NeuronNeighbours out = new NeuronNeighbours(layers, neurons, k);
        try (NDScope scope = new NDScope()) {
            NDArray[] reads = new NDArray[layers];
            NDArray[] writes = new NDArray[layers];
            for (int l = 0; l < layers; l++) {
                reads[l] = unit(model.readDirections(l));
                writes[l] = unit(model.writeDirections(l));
            }
            for (int l1 = 0; l1 < layers; l1++) {
                NDArray w = writes[l1];
                for (int from = 0; from < neurons; from += CHUNK) {
                    int to = Math.min(neurons, from + CHUNK);
                    try (NDScope chunkScope = new NDScope()) {
                        NDArray rows = w.get(from + ":" + to);
                        out.sameLayer(l1, from, to, rows.matMul(w.transpose()).toFloatArray());
                        for (int l2 = l1 + 1; l2 < layers; l2++) {
                            out.across(l1, l2, from, to, rows.matMul(reads[l2].transpose()).toFloatArray());
                        }
                    }
                }
            }
        }
        return out;
    }

    private static NDArray unit(NDArray rows) {
        return rows.div(rows.norm(new int[] {1}, true).add(1e-12f));
    }

    private void sameLayer(int layer, int from, int to, float[] cosines) {
        for (int r = 0; r < to - from; r++) {
            int n = from + r;
            int list = layer * neurons + n;
            int base = r * neurons;
            for (int c = 0; c < neurons; c++) {
                if (c != n) {
                    similar.offer(list, layer, c, cosines[base + c]);
                }
            }
        }
    }

    private void across(int l1, int l2, int from, int to, float[] weights) {
        for (int r = 0; r < to - from; r++) {
            int n1 = from + r;
            int down = l1 * neurons + n1;
            int base = r * neurons;
            for (int c = 0; c < neurons; c++) {
                float v = weights[base + c];
                downstream.offer(down, l2, c, v);
                upstream.offer(l2 * neurons + c, l1, n1, v);
            }
        }
    }

    /** A bounded list of links per neuron in flat arrays; an offer below a full list's threshold costs one compare. */
    private static final class Lists implements java.io.Serializable {
        private final int k;
        private final boolean byMagnitude;
        private final int[] refs; // layer << 24 | neuron
        private final float[] values;
        private final float[] keys;
        private final int[] sizes;
        private final float[] threshold;

        Lists(int count, int k, boolean byMagnitude) {
            this.k = k;
            this.byMagnitude = byMagnitude;
            refs = new int[count * k];
            values = new float[count * k];
            keys = new float[count * k];
            sizes = new int[count];
            threshold = new float[count];
            java.util.Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
        }

        void offer(int list, int layer, int neuron, float value) {
            float key = byMagnitude ? Math.abs(value) : value;
            if (key <= threshold[list]) {
                return;
            }
            int base = list * k;
            int size = sizes[list];
            int at = Math.min(size, k - 1); // insertion into the list, kept sorted by key, best first
            while (at > 0 && keys[base + at - 1] < key) {
                keys[base + at] = keys[base + at - 1];
                values[base + at] = values[base + at - 1];
                refs[base + at] = refs[base + at - 1];
                at--;
            }
            keys[base + at] = key;
            values[base + at] = value;
            refs[base + at] = layer << 24 | neuron;
            sizes[list] = Math.min(k, size + 1);
            if (sizes[list] == k) {
                threshold[list] = keys[base + k - 1];
            }
        }

        java.util.List<Link> sorted(int list) {
            java.util.List<Link> out = new java.util.ArrayList<>(sizes[list]);
            for (int i = 0; i < sizes[list]; i++) {
                int ref = refs[list * k + i];
                out.add(new Link(ref >>> 24, ref & 0xFFFFFF, values[list * k + i]));
            }
            return out;
        }
    }
}
