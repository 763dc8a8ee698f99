package dev.pullab.core.analysis;

/**
 * Cohen's d with the pooled standard deviation (ddof 1), signed like pullab_cloud's report:
 * {@code d = (mean(base) - mean(tip)) / s_pooled}, so a tip that got lower has a positive d.
 *
 * <p>Undefined cases, pinned by tests: with a zero pooled SD, d = 0 when the means are equal and ±Infinity
 * otherwise (written as {@code null} in JSON); with a single value on each side there is no pooled SD and d = 0.
 */
public final class CohensD {

    private CohensD() {
    }

    public static double of(SampleSummary base, SampleSummary tip) {
        int dof = base.n() + tip.n() - 2;
        double diff = base.mean() - tip.mean();
        if (dof <= 0) {
            return 0.0;
        }
        double pooledVariance = ((base.n() - 1) * base.stddev() * base.stddev()
                + (tip.n() - 1) * tip.stddev() * tip.stddev()) / dof;
        if (pooledVariance == 0.0) {
            return diff == 0.0 ? 0.0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
        }
        return diff / Math.sqrt(pooledVariance);
    }
}
