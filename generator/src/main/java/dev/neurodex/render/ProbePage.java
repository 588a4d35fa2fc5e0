package dev.neurodex.render;

import dev.neurodex.store.NeuronRecord;
import java.util.Comparator;
import java.util.List;

/**
 * {@code probes/<name>.html}: every neuron of the model ranked as a detector of one probe's label, best AUROC first
 * (the first {@value #SHOWN} as a table; all of them in {@code probes/<name>.json}).
 */
public record ProbePage(String model, String name, String pattern, String neurons, List<Row> rows, String json) {

    /** Rows of the page's table; the JSON beside it holds every neuron. */
    public static final int SHOWN = 1000;

    public record Row(int rank, String name, String href, String auroc, String f1, String precision, String recall,
                      String threshold, String meanOn, String meanOff) {}

    public static String file(String probe) {
        return "probes/" + probe + ".html";
    }

    /** Best AUROC first, then the higher F1, then layer and neuron order. */
    public static Comparator<ModelPage.Summary> order(int probe) {
        return Comparator.comparingDouble((ModelPage.Summary s) -> -s.probes().get(probe).aurocOrZero())
                .thenComparingDouble(s -> -(s.probes().get(probe).f1() == null ? 0 : s.probes().get(probe).f1()))
                .thenComparingInt(ModelPage.Summary::layer).thenComparingInt(ModelPage.Summary::neuron);
    }

    public static ProbePage of(String model, String name, String pattern, int probe, List<ModelPage.Summary> all) {
        List<ModelPage.Summary> ranked = all.stream().sorted(order(probe)).limit(SHOWN).toList();
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            ModelPage.Summary s = ranked.get(i);
            NeuronRecord.ProbeResult r = s.probes().get(probe);
            rows.add(new Row(i + 1, s.name(), "../" + s.layer() + "/" + s.neuron() + ".html",
                    text(r.auroc()), text(r.f1()), text(r.precision()), text(r.recall()), text(r.threshold()),
                    text(r.meanOn()), text(r.meanOff())));
        }
        return new ProbePage(model, name, pattern, Format.count(all.size()), rows, name + ".json");
    }

    /** Every neuron, ranked: [layer, neuron, auroc, f1, precision, recall, threshold, meanOn, meanOff]. */
    public static List<List<Object>> ranking(int probe, List<ModelPage.Summary> all) {
        return all.stream().sorted(order(probe)).map(s -> {
            NeuronRecord.ProbeResult r = s.probes().get(probe);
            return java.util.Arrays.<Object>asList(s.layer(), s.neuron(), r.auroc(), r.f1(), r.precision(), r.recall(),
                    r.threshold(), r.meanOn(), r.meanOff());
        }).toList();
    }

    private static String text(Double v) {
        return v == null ? "–" : Format.value(v);
    }
}
