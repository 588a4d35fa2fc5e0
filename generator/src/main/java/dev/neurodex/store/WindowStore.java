package dev.neurodex.store;

import dev.neurodex.tokenize.WindowRef;
import dev.neurodex.tokenize.WindowText;
import dev.neurodex.tokenize.WindowTexts;
import java.util.Arrays;
import java.util.List;

/**
 * The text of every top window of a model, stored once however many neurons keep it, for the pages' whole-window
 * view: {@code windows/<shard>.js}, each a call {@code neurodexWindows(model, shard, [[token, ...], ...])} that a
 * page loads with a script tag when asked (fetch does not work from file://). A window is named by its key,
 * {@code shard.index}.
 */
public final class WindowStore implements java.io.Serializable {
    /** About this many tokens per shard file (~250 KB): a page loads few bytes it does not show. */
    static final int TOKENS_PER_SHARD = 32_768;

    private final String model;
    private final WindowRef[] windows; // in corpus order
    private final long[] orders;
    private final int perShard;

    /** @param windows the top windows of every neuron, each once, in corpus order */
    public WindowStore(String model, List<WindowRef> windows, int contentTokens) {
        this.model = model;
        this.windows = windows.toArray(WindowRef[]::new);
        this.orders = windows.stream().mapToLong(WindowRef::order).toArray();
        this.perShard = Math.max(1, TOKENS_PER_SHARD / Math.max(1, contentTokens));
    }

    /** The key of the window at corpus position {@code order}, which must be a top window. */
    public String key(long order) {
        int i = Arrays.binarySearch(orders, order);
        if (i < 0) {
            throw new IllegalArgumentException("window " + order + " is not in the window store");
        }
        return i / perShard + "." + i % perShard;
    }

    /** Writes the shards into the model's folder; returns how many files. */
    public int write(SiteFiles files, WindowTexts texts) {
        int shards = (windows.length + perShard - 1) / perShard;
        for (int s = 0; s < shards; s++) {
            int shard = s;
            files.write("windows/" + s + ".js", Json.script(json -> {
                json.writeRaw("neurodexWindows(");
                json.writeString(model);
                json.writeRaw("," + shard + ",");
                json.writeStartArray();
                for (int i = shard * perShard; i < Math.min(windows.length, (shard + 1) * perShard); i++) {
                    WindowText text = texts.get(windows[i]);
                    json.writeStartArray();
                    for (int t = 0; t < text.length(); t++) {
                        json.writeString(text.token(t));
                    }
                    json.writeEndArray();
                }
                json.writeEndArray();
                json.writeRaw(");\n");
            }));
        }
        return shards;
    }
}
