package dev.neurodex.scan;

import dev.neurodex.aggregate.ModelAggregate;

/** What a scan produced: the aggregation state and the counts the summary and manifest show. */
public record ScanResult(ModelAggregate aggregate, long documents, long windows, long tokens, double seconds,
                         Phases phases) {

    /**
     * Seconds the scanning thread spent in the forward pass, in aggregation and waiting for the reader, and the
     * positions the forward passes ran (content, framing and padding).
     */
    public record Phases(double forward, double aggregate, double waitingForReader, long positions) {}
}
