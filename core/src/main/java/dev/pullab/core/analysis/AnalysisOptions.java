package dev.pullab.core.analysis;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * The verdict rule. A metric whose VMs measured both kernels is compared <em>paired</em>: it regressed when the
 * adjusted p-value of the trimmed-mean t on the per-VM {@code log(tip / base)} is below {@code alpha}, the estimated
 * change is at least {@code minChangePct} percent, and it is in the worse direction given {@code more_is_better}.
 * Otherwise (different VMs per kernel) it is compared <em>unpaired</em>: adjusted Welch or Mann-Whitney p-value
 * below {@code alpha} and {@code |Cohen's d| >= minEffect}, worse direction. The same rule in the better direction
 * is an improvement.
 *
 * @param correction   multiple-testing correction across the metrics of one test
 * @param alpha        significance level, in (0, 1)
 * @param minEffect    minimum |Cohen's d| of an unpaired verdict, at least 0
 * @param minChangePct minimum |estimated change| in percent of a paired verdict, at least 0
 * @param pairing      whether paired data are compared paired
 */
public record AnalysisOptions(Correction correction, double alpha, double minEffect, double minChangePct,
                              Pairing pairing) {

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_MIN_EFFECT = 0.5;
    /**
     * 1 %: well below the few-percent changes kernel performance work reports as regressions, and about twice the
     * smallest change a 10-VM paired run resolves (its 95 % interval at 1 % in-VM noise is about ±0.5 %), so a
     * significant change that is smaller than this is real but too small to act on.
     */
    public static final double DEFAULT_MIN_CHANGE_PCT = 1.0;

    /** Whether base and tip are paired by VM. */
    public enum Pairing {
        /** Paired wherever the data pair up (at least 3 VMs measured both kernels), unpaired elsewhere. */
        AUTO,
        /** Always unpaired (the analysis before pairing existed). */
        OFF;

        /** {@code auto} or {@code off}: the CLI's and the JSON report's spelling. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The unpaired rule's options with the default paired ones. */
    public AnalysisOptions(Correction correction, double alpha, double minEffect) {
        this(correction, alpha, minEffect, DEFAULT_MIN_CHANGE_PCT, Pairing.AUTO);
    }

    public AnalysisOptions {
        Objects.requireNonNull(correction, "correction");
        if (!(alpha > 0.0 && alpha < 1.0)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1 (exclusive), got " + alpha);
        }
        if (!(minEffect >= 0.0) || Double.isInfinite(minEffect)) {
            throw new IllegalArgumentException("min effect must be a finite number >= 0, got " + minEffect);
        }
        if (!(minChangePct >= 0.0) || Double.isInfinite(minChangePct)) {
            throw new IllegalArgumentException("min change must be a finite percentage >= 0, got " + minChangePct);
        }
        Objects.requireNonNull(pairing, "pairing");
    }

    /** Holm, alpha 0.05, min effect 0.5, min change 1 %, paired where the data pair up. */
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(Correction.HOLM, DEFAULT_ALPHA, DEFAULT_MIN_EFFECT);
    }
}
