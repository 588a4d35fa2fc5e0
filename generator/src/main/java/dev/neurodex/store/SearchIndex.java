package dev.neurodex.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The offline search index of one model: for each token (trimmed, lower-cased) the neurons whose top examples
 * fire on it, written as {@code search/<model>/<shard>.js} files, one per first two characters of the token.
 * Pages load a shard with a script tag (fetch does not work from file://), so a query reads only the shards of
 * its words, one per model of the site.
 */
public final class SearchIndex implements java.io.Serializable {
    /** A token is indexed where the activation reaches this share of the neuron's max (plus every max token). */
    static final double FIRING = 0.5;
    /** Postings kept per token, the strongest first: enough for a reader, bounded for a 37k-neuron model. */
    static final int PER_TERM = 300;

    private final Map<String, List<Object[]>> postings = new HashMap<>();

    private final String model;

    public SearchIndex(String model) {
        this.model = model;
    }

    /** Adds a neuron's top examples: [layer, neuron, example rank, activation] per firing token. */
    public synchronized void add(NeuronRecord r) {
        float max = r.stats().max();
        for (int rank = 1; rank <= r.top().size(); rank++) {
            NeuronRecord.Example e = r.top().get(rank - 1);
            Map<String, Float> best = new HashMap<>();
            for (int i = 0; i < e.tokens().size(); i++) {
                float v = i == e.maxIndex() ? e.value() : (float) r.value(e.values()[i]);
                if (i == e.maxIndex() || (max > 0 && v >= FIRING * max)) {
                    String term = normalize(e.tokens().get(i));
                    if (!term.isEmpty()) {
                        best.merge(term, v, Math::max);
                    }
                }
            }
            for (Map.Entry<String, Float> t : best.entrySet()) {
                float rounded = Math.round(t.getValue() * 1000) / 1000f;
                postings.computeIfAbsent(t.getKey(), k -> new ArrayList<>())
                        .add(new Object[] {r.layer(), r.neuron(), rank, rounded});
            }
        }
    }

    /** Takes in the postings of another index of the same model (one written elsewhere). */
    public synchronized void merge(SearchIndex other) {
        other.postings.forEach((term, list) -> postings.computeIfAbsent(term, k -> new ArrayList<>()).addAll(list));
    }

    public static String normalize(String token) {
        return token.strip().toLowerCase(Locale.ROOT);
    }

    /** The shard of a term: hex code points of its first two characters, as search.js computes it. */
    public static String shard(String term) {
        return term.codePoints().limit(2).mapToObj(Integer::toHexString).collect(Collectors.joining("_"));
    }

    /** Writes the shards as {@code <shard>.js} into the model's search folder; returns how many files. */
    public synchronized int write(SiteFiles files) {
        Map<String, Map<String, List<Object[]>>> shards = new TreeMap<>();
        postings.forEach((term, list) -> {
            // Ties broken by (layer, neuron): records arrive in thread order, the shards must not depend on it.
            list.sort(Comparator.comparingDouble((Object[] p) -> -((Float) p[3]))
                    .thenComparingInt(p -> (Integer) p[0]).thenComparingInt(p -> (Integer) p[1]));
            shards.computeIfAbsent(shard(term), s -> new TreeMap<>())
                    .put(term, list.size() > PER_TERM ? list.subList(0, PER_TERM) : list);
        });
        for (Map.Entry<String, Map<String, List<Object[]>>> s : shards.entrySet()) {
            files.write(s.getKey() + ".js", Json.script(json -> {
                json.writeRaw("neurodexSearchShard(");
                json.writeString(model);
                json.writeRaw(",");
                json.writeString(s.getKey());
                json.writeRaw(",");
                json.writeObject(s.getValue());
                json.writeRaw(");\n");
            }));
        }
        return shards.size();
    }
}
