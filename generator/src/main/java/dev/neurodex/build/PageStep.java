package dev.neurodex.build;

import dev.neurodex.aggregate.LayerAggregate;
import dev.neurodex.model.DirectLogits;
import java.util.List;

/**
 * How a build writes the blocks of a layer's pages: in this process, or on a cluster's executors (the Spark
 * job), with the same files. A step that writes elsewhere adds what it wrote to {@code writer}'s file list and
 * search index.
 */
public interface PageStep {

    /** Writes every block of {@code layer} (see {@link LayerWriter#block}); returns them in order. */
    List<LayerWriter.Block> write(SectionPages pages, LayerWriter writer, LayerAggregate layer, DirectLogits logits);

    /** The blocks of one process, in parallel. */
    PageStep LOCAL = (pages, writer, layer, logits) -> writer.blocks(layer, logits);
}
