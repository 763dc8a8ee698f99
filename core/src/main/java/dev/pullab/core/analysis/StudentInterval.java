package dev.pullab.core.analysis;

import org.apache.commons.statistics.distribution.TDistribution;

/** {@code estimate ± t(1 - (1 - level) / 2, df) · se}: the interval of the paired tests; a point when se is 0. */
final class StudentInterval {

    private StudentInterval() {
    }

    static double[] of(double estimate, double standardError, double df, double level, boolean computable) {
        if (!computable || standardError == 0.0) {
            return new double[] {estimate, estimate};
        }
        double q = TDistribution.of(df).inverseSurvivalProbability((1.0 - level) / 2.0);
        return new double[] {estimate - q * standardError, estimate + q * standardError};
    }
}
