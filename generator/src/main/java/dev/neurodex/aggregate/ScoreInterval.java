package dev.neurodex.aggregate;

import java.util.List;

/**
 * Windows sampled uniformly among those whose score lies in [low, high).
 *
 * @param windows how many windows of the corpus scored in this interval
 */
public record ScoreInterval(double low, double high, long windows, List<TopEntry> samples) {}
