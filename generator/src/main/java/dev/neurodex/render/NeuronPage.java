package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * What a neuron page shows, computed from its record; the template only displays it.
 *
 * @param prevHref empty when this is the model's first neuron
 */
public record NeuronPage(String model, int layer, int neuron, String hook, int layers, int neuronsPerLayer,
                         String max, String min, String mean, String density, String tokens, String scale,
                         String attentionNote, String prevHref, String prevLabel, String nextHref, String nextLabel,
                         String randomHref, List<Example> examples) {

    /** Tokens shown around the max token before the whole window is expanded. */
    static final int BEFORE = 30;
    static final int AFTER = 10;

    /** The window's tokens in three runs: {@code near} is shown by default, the others when expanded. */
    public record Example(int rank, String anchor, String value, String source, String where,
                          List<Token> before, List<Token> near, List<Token> after) {}

    /** @param cls colour step, plus {@code m} for the max token; empty for white */
    public record Token(String text, String value, String cls) {}

    static NeuronPage of(NeuronRecord r, SiteShape shape) {
        double scale = Palette.scale(r.stats().max(), r.stats().min());
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < r.top().size(); i++) {
            examples.add(example(i + 1, r.top().get(i), scale));
        }
        int layer = r.layer();
        int neuron = r.neuron();
        int per = shape.neuronsPerLayer();
        boolean first = layer == 0 && neuron == 0;
        boolean last = layer == shape.layers() - 1 && neuron == per - 1;
        int prevLayer = neuron == 0 ? layer - 1 : layer;
        int prevNeuron = neuron == 0 ? per - 1 : neuron - 1;
        int nextLayer = neuron == per - 1 ? layer + 1 : layer;
        int nextNeuron = neuron == per - 1 ? 0 : neuron + 1;
        // Without JavaScript the random link still goes somewhere different for each page.
        long mix = (layer * 1_000_003L + neuron) * 0x9E3779B97F4A7C15L;
        int randomLayer = (int) Long.remainderUnsigned(mix >>> 7, shape.layers());
        int randomNeuron = (int) Long.remainderUnsigned(mix >>> 17, per);
        return new NeuronPage(r.model(), layer, neuron, r.hook(), shape.layers(), per,
                Format.value(r.stats().max()), Format.value(r.stats().min()), Format.value(r.stats().mean()),
                Format.percent(r.stats().density()), Format.count(r.stats().tokens()), Format.value(scale),
                shape.attentionNote(),
                first ? "" : href(layer, prevLayer, prevNeuron), first ? "" : "L" + prevLayer + "N" + prevNeuron,
                last ? "" : href(layer, nextLayer, nextNeuron), last ? "" : "L" + nextLayer + "N" + nextNeuron,
                href(layer, randomLayer, randomNeuron), examples);
    }

    /** A link from a page of layer {@code from} to neuron {@code n} of layer {@code to}. */
    static String href(int from, int to, int n) {
        return (from == to ? "" : "../" + to + "/") + n + ".html";
    }

    private static Example example(int rank, NeuronRecord.Example e, double scale) {
        int max = e.maxIndex();
        int from = Math.max(0, max - BEFORE);
        int to = Math.min(e.tokens().size(), max + AFTER + 1);
        List<Token> tokens = new ArrayList<>(e.tokens().size());
        for (int i = 0; i < e.tokens().size(); i++) {
            String cls = Palette.cssClass(e.values()[i], scale);
            if (i == max) {
                cls = cls.isEmpty() ? "m" : cls + " m";
            }
            tokens.add(new Token(e.tokens().get(i), Format.value(e.values()[i]), cls));
        }
        String where = e.doc().file() + (e.doc().line() == null ? "" : ":" + e.doc().line()) + " · window " + e.window();
        return new Example(rank, "ex-" + rank, Format.value(e.value()), e.source() == null ? "" : e.source(), where,
                tokens.subList(0, from), tokens.subList(from, to), tokens.subList(to, tokens.size()));
    }
}
