package dev.neurodex.corpus;

/** Receives documents in corpus order; returning false stops the reading (e.g. at --max-tokens). */
@FunctionalInterface
public interface DocumentSink {
    boolean accept(Document document);
}
