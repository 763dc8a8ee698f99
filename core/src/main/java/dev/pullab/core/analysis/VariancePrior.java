package dev.pullab.core.analysis;

import java.util.Optional;
import org.apache.commons.numbers.gamma.Digamma;
import org.apache.commons.numbers.gamma.Trigamma;

/**
 * Borrowing variance information across the metrics of a test: the empirical Bayes prior of Smyth (2004, "Linear
 * models and empirical Bayes methods for assessing differential expression", limma's {@code fitFDist} and
 * {@code squeezeVar} without covariates). Each metric's variance {@code s²} on {@code d} degrees of freedom is taken
 * as a scaled chi-square draw around a common prior {@code s0²} with {@code d0} prior degrees of freedom; {@code d0}
 * and {@code s0²} are estimated from the spread of the metrics' {@code log(s²)}. A metric's moderated variance is
 * {@code (d0·s0² + d·s²) / (d0 + d)} on {@code d0 + d} degrees of freedom. When the metrics' variances differ no more
 * than chance allows, {@code d0} is infinite (full pooling); when they differ a lot, {@code d0} is small and each
 * metric keeps mostly its own variance. With 10 VMs a trimmed t has only 5 degrees of freedom of its own; 24 metrics
 * with similar noise lend it many more.
 */
final class VariancePrior {

    /** Fewer metrics than this give no prior (their spread says too little). */
    static final int MIN_METRICS = 3;

    private final double df;
    private final double variance;

    private VariancePrior(double df, double variance) {
        this.df = df;
        this.variance = variance;
    }

    /** The prior degrees of freedom {@code d0}; {@code +Infinity} for full pooling. */
    double df() {
        return df;
    }

    /** The prior variance {@code s0²}. */
    double variance() {
        return variance;
    }

    /**
     * Fits the prior to the metrics' variances and their degrees of freedom (limma's fitFDist); empty when fewer
     * than {@link #MIN_METRICS} metrics have a positive, finite variance.
     */
    static Optional<VariancePrior> fit(double[] variances, double[] dfs) {
        int n = 0;
        double sum = 0.0;
        double[] e = new double[variances.length];
        double trigammaSum = 0.0;
        for (int i = 0; i < variances.length; i++) {
            if (variances[i] > 0.0 && Double.isFinite(variances[i]) && dfs[i] > 0.0) {
                e[n] = Math.log(variances[i]) - Digamma.value(dfs[i] / 2.0) + Math.log(dfs[i] / 2.0);
                trigammaSum += Trigamma.value(dfs[i] / 2.0);
                sum += e[n];
                n++;
            }
        }
        if (n < MIN_METRICS) {
            return Optional.empty();
        }
        double mean = sum / n;
        double ss = 0.0;
        for (int i = 0; i < n; i++) {
            ss += (e[i] - mean) * (e[i] - mean);
        }
        double excess = ss / (n - 1) - trigammaSum / n;
        if (excess <= 0.0) {
            return Optional.of(new VariancePrior(Double.POSITIVE_INFINITY, Math.exp(mean)));
        }
        double d0 = 2.0 * trigammaInverse(excess);
        return Optional.of(new VariancePrior(d0, Math.exp(mean + Digamma.value(d0 / 2.0) - Math.log(d0 / 2.0))));
    }

    /** The moderated variance of a metric with variance {@code s2} on {@code d} degrees of freedom. */
    double squeeze(double s2, double d) {
        if (Double.isInfinite(df)) {
            return variance;
        }
        return (df * variance + d * s2) / (df + d);
    }

    /** The x with trigamma(x) = y, y > 0: bisection on the log scale (trigamma decreases from +inf to 0). */
    static double trigammaInverse(double y) {
        double lo = -40.0;
        double hi = 40.0;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2.0;
            if (Trigamma.value(Math.exp(mid)) > y) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp((lo + hi) / 2.0);
    }
}
