package dev.pullab.core.analysis;

import java.util.Objects;

/**
 * The verdict rule: a metric regressed when its adjusted Welch or Mann-Whitney p-value is below {@code alpha},
 * {@code |Cohen's d| >= minEffect}, and the tip moved in the worse direction given {@code more_is_better}.
 *
 * @param correction multiple-testing correction across the metrics of one test
 * @param alpha      significance level, in (0, 1)
 * @param minEffect  minimum |Cohen's d|, at least 0
 */
public record AnalysisOptions(Correction correction, double alpha, double minEffect) {

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_MIN_EFFECT = 0.5;

    public AnalysisOptions {
        Objects.requireNonNull(correction, "correction");
        if (!(alpha > 0.0 && alpha < 1.0)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1 (exclusive), got " + alpha);
        }
        if (!(minEffect >= 0.0) || Double.isInfinite(minEffect)) {
            throw new IllegalArgumentException("min effect must be a finite number >= 0, got " + minEffect);
        }
    }

    /** Holm, alpha 0.05, min effect 0.5. */
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(Correction.HOLM, DEFAULT_ALPHA, DEFAULT_MIN_EFFECT);
    }
}
