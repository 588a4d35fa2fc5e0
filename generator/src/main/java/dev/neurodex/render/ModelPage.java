package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/** The model index: its layers with a summary of each, the neurons most worth a look, and how it was built. */
public record ModelPage(String model, String headline, String unit, String hook, String attentionNote,
                        List<LayerRow> layers, List<SaeRow> saes, List<Pick> picks, List<Fact> build) {

    /** An SAE section of the model, linked from its page. */
    public record SaeRow(String name, String href, String hook, String latents, String alive, String dead,
                         String meanDensity, String encoding) {}

    /** Thresholds of the per-layer summary, shown on the page. */
    static final double DENSE = 0.5;
    static final double STRONG = 1.0;

    /**
     * @param meanMax mean over the layer's neurons of each neuron's max activation
     * @param dead    neurons whose max activation is ≤ 0 over the whole corpus
     */
    public record LayerRow(int layer, String href, String hook, String meanMax, String dead, String singleToken,
                           String dense, String meanDensity) {}

    /** A criterion and the ten neurons that meet it best; {@code more} links a page with all of them, or is empty. */
    public record Pick(String title, String rule, List<Entry> neurons, String more) {}

    public record Entry(String name, String href, String value, String token) {}

    public record Fact(String key, String value) {}

    /**
     * What the model index keeps of each neuron once its record is written.
     *
     * @param section the SAE's name for a latent, else null
     */
    public record Summary(int layer, int neuron, String section, double max, double density, double concentration,
                          int topSize, String token, List<NeuronRecord.ProbeResult> probes)
            implements java.io.Serializable {
        public static Summary of(NeuronRecord r) {
            int slash = r.model().indexOf('/');
            return new Summary(r.layer(), r.neuron(), slash < 0 ? null : r.model().substring(slash + 1), r.stats().max(),
                    r.stats().density(), r.concentration(), r.top().size(),
                    r.maxTokens().isEmpty() ? "" : r.maxTokens().get(0).token(), r.probes());
        }

        /** How pages name the unit: L3N117, or an SAE latent as res-jb/117. */
        public String name() {
            return section == null ? "L" + layer + "N" + neuron : section + "/" + neuron;
        }

        boolean singleToken() {
            return topSize >= 4 && concentration >= NeuronPage.SINGLE_TOKEN;
        }
    }

    /** @param alive the summaries of the latents with a page (the dead are the rest of {@code latents}) */
    public static SaeRow saeRow(String name, String hook, int latents, List<Summary> alive, String encoding) {
        return new SaeRow(name, name + "/index.html", hook, Format.count(latents), Format.count(alive.size()),
                Format.count(latents - alive.size()),
                Format.percent(alive.stream().mapToDouble(Summary::density).sum() / Math.max(1, latents)), encoding);
    }

    public static LayerRow layerRow(int layer, String hook, List<Summary> neurons) {
        return new LayerRow(layer, layer + "/index.html", hook,
                Format.value(neurons.stream().mapToDouble(Summary::max).average().orElse(0)),
                count(neurons, s -> s.max() <= 0), count(neurons, Summary::singleToken),
                count(neurons, s -> s.density() >= DENSE),
                Format.percent(neurons.stream().mapToDouble(Summary::density).average().orElse(0)));
    }

    private static String count(List<Summary> neurons, Predicate<Summary> test) {
        return Format.count(neurons.stream().filter(test).count());
    }

    public static List<Pick> picks(List<Summary> all) {
        List<Pick> picks = new ArrayList<>();
        picks.add(pick("Strongest", "highest max activation", all, s -> true,
                Comparator.comparingDouble(Summary::max).reversed(), s -> Format.value(s.max())));
        picks.add(pick("Single-token", "highest token concentration (share of the top examples whose max token is "
                        + "the most common one), then highest max", all, s -> s.topSize() >= 4,
                Comparator.comparingDouble(Summary::concentration).reversed()
                        .thenComparing(Comparator.comparingDouble(Summary::max).reversed()),
                s -> Format.percent(s.concentration())));
        picks.add(pick("Rare but strong", "lowest density among neurons whose max is at least " + Format.value(STRONG),
                all, s -> s.max() >= STRONG, Comparator.comparingDouble(Summary::density),
                s -> Format.percent(s.density())));
        picks.add(pick("Densest", "highest density (fraction of tokens with activation > 0)", all, s -> true,
                Comparator.comparingDouble(Summary::density).reversed(), s -> Format.percent(s.density())));
        int probes = all.isEmpty() ? 0 : all.get(0).probes().size();
        for (int p = 0; p < probes; p++) {
            int i = p;
            String name = all.get(0).probes().get(p).name();
            Pick best = pick("Probe " + name, "highest AUROC as a detector of the probe's label",
                    all, s -> s.probes().get(i).auroc() != null, ProbePage.order(i),
                    s -> "AUROC " + Format.value(s.probes().get(i).auroc()));
            picks.add(new Pick(best.title(), best.rule(), best.neurons(), ProbePage.file(name)));
        }
        return picks;
    }

    private static Pick pick(String title, String rule, List<Summary> all, Predicate<Summary> eligible,
                             Comparator<Summary> order, java.util.function.Function<Summary, String> value) {
        List<Entry> entries = all.stream().filter(eligible).sorted(order).limit(10)
                .map(s -> new Entry(s.name(), s.layer() + "/" + s.neuron() + ".html",
                        value.apply(s), s.token()))
                .toList();
        return new Pick(title, rule, entries, "");
    }
}
