package dev.neurodex.aggregate;

/**
 * How well a neuron's activation detects a probe's label, from two histograms on {@link ActivationBins}: the
 * labelled tokens' and all tokens'.
 *
 * @param labelled   tokens carrying the label
 * @param auroc      the probability that a labelled token's activation exceeds an unlabelled one's (ties count
 *                   half); from bins, so pairs sharing a bin count half: NaN with no token on one side
 * @param aurocError the largest difference to the exact AUROC the binning allows (half the pairs sharing a bin)
 * @param threshold  the bin edge whose "activation ≥ threshold" has the best F1 on the label
 * @param meanOn     mean activation on labelled tokens; {@code meanOff} on the others
 */
public record ProbeScore(long labelled, double auroc, double aurocError, double threshold, double precision,
                         double recall, double f1, double meanOn, double meanOff) {

    static ProbeScore of(long[] all, long[] labelled, double sumAll, double sumLabelled) {
        long positives = 0;
        long total = 0;
        for (int b = 0; b < all.length; b++) {
            positives += labelled[b];
            total += all[b];
        }
        long negatives = total - positives;
        if (positives == 0 || negatives == 0) {
            return new ProbeScore(positives, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    positives == 0 ? Double.NaN : sumLabelled / positives,
                    negatives == 0 ? Double.NaN : (sumAll - sumLabelled) / negatives);
        }
        double pairs = (double) positives * negatives;
        double above = 0;
        double shared = 0;
        long negativesBelow = 0;
        for (int b = 0; b < all.length; b++) {
            long neg = all[b] - labelled[b];
            above += labelled[b] * (negativesBelow + 0.5 * neg);
            shared += (double) labelled[b] * neg;
            negativesBelow += neg;
        }
        double bestF1 = -1;
        double threshold = Double.NaN;
        double precision = 0;
        double recall = 0;
        long tp = 0;
        long fp = 0;
        for (int b = all.length - 1; b >= 0; b--) {
            tp += labelled[b];
            fp += all[b] - labelled[b];
            if (tp == 0) {
                continue;
            }
            double p = (double) tp / (tp + fp);
            double r = (double) tp / positives;
            double f1 = 2 * p * r / (p + r);
            if (f1 > bestF1) {
                bestF1 = f1;
                threshold = ActivationBins.low(b);
                precision = p;
                recall = r;
            }
        }
        return new ProbeScore(positives, above / pairs, shared / pairs / 2, threshold, precision, recall, bestF1,
                sumLabelled / positives, (sumAll - sumLabelled) / negatives);
    }
}
