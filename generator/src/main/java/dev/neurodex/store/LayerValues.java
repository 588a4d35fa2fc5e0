package dev.neurodex.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a neuron page's script needs beyond the page, for a layer: {@code <layer>/values/<file>.js} holds, for
 * {@value #NEURONS_PER_FILE} neurons each, one entry per example in page order: the window position of its first
 * value, its values as 12-bit steps of the neuron's value scale (two base64url characters each), and the UTF-16
 * length of each token the page shows, one base64url character each ({@code _} then decimal digits and {@code ;}
 * from 63 up), to find the token under the pointer. A top example gives every value the scan kept (the whole
 * window at context 128: hover values and the whole-window view), the others the positions the page shows.
 * Loaded by a script tag when the reader first points at or expands an example.
 */
public final class LayerValues {
    public static final int NEURONS_PER_FILE = 64;
    /** Steps each way of the 12-bit values: value = step / STEPS × valueScale. */
    public static final int STEPS = 2047;
    private static final char[] DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final String model;
    private final int layer;
    private final ConcurrentHashMap<Integer, String> neurons = new ConcurrentHashMap<>();

    public LayerValues(String model, int layer) {
        this.model = model;
        this.layer = layer;
    }

    /** The file (relative to the layer's folder) holding neuron {@code n}'s entries. */
    public static String file(int neuron) {
        return "values/" + neuron / NEURONS_PER_FILE + ".js";
    }

    /** Adds a neuron's entries; safe from several threads. */
    public void add(NeuronRecord r) {
        byte[] entries = Json.script(json -> {
            json.writeStartArray();
            int top = r.top().size();
            List<NeuronRecord.Example> examples = r.pageOrder();
            for (int i = 0; i < examples.size(); i++) {
                NeuronRecord.Example e = examples.get(i);
                NeuronRecord.Kept kept = e.kept();
                int from = i < top ? kept.start() : e.start();
                int to = i < top ? kept.start() + kept.values().length : e.start() + e.tokens().size();
                json.writeStartArray();
                json.writeNumber(from);
                json.writeString(encode(kept.values(), from - kept.start(), to - kept.start(), r.valueScale()));
                json.writeString(lengths(e.tokens()));
                json.writeEndArray();
            }
            json.writeEndArray();
        });
        neurons.put(r.neuron(), new String(entries, StandardCharsets.US_ASCII)); // numbers and base64url only
    }

    /** values[from..to) as 12-bit steps: two characters each. */
    static String encode(float[] values, int from, int to, double scale) {
        char[] out = new char[2 * (to - from)];
        for (int i = from; i < to; i++) {
            long step = Math.max(-STEPS, Math.min(STEPS, Math.round(values[i] / scale * STEPS))) + STEPS + 1;
            out[2 * (i - from)] = DIGITS[(int) (step >> 6)];
            out[2 * (i - from) + 1] = DIGITS[(int) (step & 63)];
        }
        return new String(out);
    }

    /** Each token's UTF-16 length, one character each below 63. */
    static String lengths(List<String> tokens) {
        StringBuilder out = new StringBuilder(tokens.size());
        for (String token : tokens) {
            int n = token.length();
            if (n < 63) {
                out.append(DIGITS[n]);
            } else {
                out.append('_').append(n).append(';');
            }
        }
        return out.toString();
    }

    /** Writes the layer's files: {@code neurodexValues(model, layer, first neuron, [entries per neuron])}. */
    /** Writes the files of neurons [first, end), {@code first} the start of a file. */
    public void write(SiteFiles files, int first, int end) {
        for (; first < end; first += NEURONS_PER_FILE) {
            int from = first;
            int to = Math.min(end, first + NEURONS_PER_FILE);
            files.write(layer + "/" + file(first), Json.script(json -> {
                json.writeRaw("neurodexValues(");
                json.writeString(model);
                json.writeRaw("," + layer + "," + from + ",[");
                for (int n = from; n < to; n++) {
                    json.writeRaw((n == from ? "" : ",") + neurons.get(n));
                }
                json.writeRaw("]);\n");
            }));
        }
    }
}
