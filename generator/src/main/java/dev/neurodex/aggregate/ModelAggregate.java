package dev.neurodex.aggregate;

import dev.neurodex.model.Activations;
import dev.neurodex.tokenize.Window;
import dev.neurodex.tokenize.WindowRef;
import java.util.Map;
import java.util.TreeMap;
import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** The mergeable aggregation state of a whole model: one {@link LayerAggregate} per hooked layer. */
public final class ModelAggregate {
    private final List<LayerAggregate> layers;

    /** @param keep positions of each top window whose values are kept, around its max token */
    public ModelAggregate(int layers, int neurons, int k, int keep) {
        this(layers, neurons, k, keep, 0);
    }

    /** @param probes how many probes label the scanned tokens */
    public ModelAggregate(int layers, int neurons, int k, int keep, int probes) {
        List<LayerAggregate> list = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            list.add(new LayerAggregate(l, neurons, k, keep, probes));
        }
        this.layers = List.copyOf(list);
    }

    /** One aggregate per group of units (a layer's neurons, an SAE's latents), in the groups' order. */
    public static ModelAggregate of(List<dev.neurodex.model.UnitGroup> units, int k, int keep, int probes) {
        return new ModelAggregate(units.stream().map(u -> new LayerAggregate(u.layer(), u.width(), k, keep, probes)).toList());
    }

    /**
     * The state of a model whose groups live elsewhere (merged on a distributed scan's executors), each fetched
     * when {@link #layers} is read at it: whoever walks the groups in order holds one group's state at a time, not
     * the model's. The last group fetched is kept for the next read of it.
     */
    public static ModelAggregate fetched(int groups, IntFunction<LayerAggregate> fetch) {
        return new ModelAggregate(new Fetched(groups, fetch), false);
    }

    private static final class Fetched extends AbstractList<LayerAggregate> {
        private final int size;
        private final IntFunction<LayerAggregate> fetch;
        private int last = -1;
        private LayerAggregate group;

        Fetched(int size, IntFunction<LayerAggregate> fetch) {
            this.size = size;
            this.fetch = fetch;
        }

        @Override
        public synchronized LayerAggregate get(int g) {
            java.util.Objects.checkIndex(g, size);
            if (g != last) {
                group = null; // let the last one go before the next arrives
                group = fetch.apply(g);
                last = g;
            }
            return group;
        }

        @Override
        public int size() {
            return size;
        }
    }

    private ModelAggregate(List<LayerAggregate> layers) {
        this(layers, true);
    }

    private ModelAggregate(List<LayerAggregate> layers, boolean copy) {
        this.layers = copy ? List.copyOf(layers) : layers;
    }

    /** Writes the whole state; {@link #read} restores one that continues exactly as this one would. */
    public void write(StateOutput state) throws IOException {
        state.writeInt(layers.size());
        for (LayerAggregate layer : layers) {
            layer.write(state);
        }
    }

    public static ModelAggregate read(StateInput state) throws IOException {
        int count = state.readInt();
        List<LayerAggregate> list = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            list.add(LayerAggregate.read(state));
        }
        return new ModelAggregate(list);
    }

    /** Adds one group's activations for a batch of windows ({@link Activations#layer} is the group's index). */
    public void add(Activations acts, List<Window> windows) {
        layers.get(acts.layer()).add(acts, windows);
    }

    public void merge(ModelAggregate other) {
        if (other.layers.size() != layers.size()) {
            throw new IllegalArgumentException("cannot merge states of different models");
        }
        for (int l = 0; l < layers.size(); l++) {
            layers.get(l).merge(other.layers.get(l));
        }
    }

    /** Every window some neuron keeps, each once, in corpus order: what the pages will show. */
    public List<WindowRef> windows() {
        return windows(false);
    }

    /** Every window among some neuron's top-k, each once, in corpus order: what the window store holds. */
    public List<WindowRef> topWindows() {
        return windows(true);
    }

    private List<WindowRef> windows(boolean topOnly) {
        Map<Long, WindowRef> byOrder = new TreeMap<>();
        for (LayerAggregate layer : layers) {
            layer.forEachWindow(topOnly, w -> byOrder.putIfAbsent(w.order(), w));
        }
        return List.copyOf(byOrder.values());
    }

    public List<LayerAggregate> layers() {
        return layers;
    }

    public long tokens() {
        return layers.isEmpty() ? 0 : layers.get(0).tokens();
    }
}
