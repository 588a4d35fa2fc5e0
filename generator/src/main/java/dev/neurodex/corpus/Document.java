package dev.neurodex.corpus;

/** One document of the corpus: its text and where it came from. */
public record Document(Origin origin, String text) {}
