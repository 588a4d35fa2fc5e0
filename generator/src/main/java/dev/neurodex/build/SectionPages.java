package dev.neurodex.build;

import dev.neurodex.model.NeuronNeighbours;
import dev.neurodex.render.SiteRenderer;
import dev.neurodex.render.SiteShape;
import dev.neurodex.store.RecordBuilder;
import dev.neurodex.store.SearchIndex;
import dev.neurodex.store.SiteFiles;
import dev.neurodex.store.WindowStore;
import dev.neurodex.tokenize.WindowTexts;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What writing the pages of one folder of units (the model's own, or an SAE section) takes, as values that can
 * be sent to another machine: there, with that machine's tokenizer for token labels, it makes the same
 * {@link LayerWriter} a build makes here.
 *
 * @param root    the model's folder being built (staging)
 * @param section "" for the model's own units, else the SAE's subfolder
 * @param neighbours null where units have none
 */
public record SectionPages(String version, SiteShape shape, String root, String section, WindowTexts texts,
                           NeuronNeighbours neighbours, List<String> probeNames, WindowStore windows)
        implements Serializable {

    public SectionPages {
        probeNames = List.copyOf(probeNames);
    }

    public SiteFiles files() {
        SiteFiles model = new SiteFiles(Path.of(root));
        return section.isEmpty() ? model : model.within(section);
    }

    /** A writer of these pages, into {@link #files()}, adding postings to {@code search}. */
    public LayerWriter writer(IntFunction<String> token, SearchIndex search) {
        return writer(token, search, files());
    }

    LayerWriter writer(IntFunction<String> token, SearchIndex search, SiteFiles files) {
        return new LayerWriter(new SiteRenderer(version), shape, new RecordBuilder(shape.model(), shape.hook(), texts,
                token, neighbours, probeNames), search, windows, files);
    }
}
