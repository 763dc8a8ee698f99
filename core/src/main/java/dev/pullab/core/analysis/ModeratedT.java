package dev.pullab.core.analysis;

import java.util.Optional;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The verdict's test of a paired metric: the mean of the kept VMs' {@code log(tip / base)} (outlier VMs screened out,
 * {@link VmPairs#MAD_LIMIT}) over its standard error {@code s̃ / √k}, where {@code s̃²} is the kept log ratios'
 * variance moderated by the prior borrowed from the test's metrics ({@link VariancePrior}), on its own {@code k - 1}
 * degrees of freedom plus the prior's. Without a prior (fewer than 3 paired metrics) it is the paired t of the kept
 * VMs; with an infinite prior, a z-test.
 *
 * @param estimate      the mean of the kept log ratios
 * @param standardError the moderated standard error
 * @param df            degrees of freedom ({@code +Infinity}: normal)
 * @param statistic     {@code estimate / standardError}
 * @param pValue        two-sided
 */
record ModeratedT(double estimate, double standardError, double df, double statistic, double pValue) {

    static ModeratedT of(VmPairs.Pairs pairs, Optional<VariancePrior> prior) {
        int k = pairs.kept().length;
        double ownDf = k - 1.0;
        double variance = prior.map(p -> p.squeeze(pairs.keptVariance(), ownDf)).orElse(pairs.keptVariance());
        double df = ownDf + prior.map(VariancePrior::df).orElse(0.0);
        double estimate = pairs.keptMean();
        double se = Math.sqrt(variance / k);
        if (se == 0.0 || !Double.isFinite(se)) {
            return estimate == 0.0 || !Double.isFinite(se) ? new ModeratedT(estimate, 0.0, df, 0.0, 1.0)
                    : new ModeratedT(estimate, 0.0, df, Math.copySign(Double.POSITIVE_INFINITY, estimate), 0.0);
        }
        double t = estimate / se;
        double tail = Double.isInfinite(df) ? NormalDistribution.of(0.0, 1.0).survivalProbability(Math.abs(t))
                : TDistribution.of(df).survivalProbability(Math.abs(t));
        return new ModeratedT(estimate, se, df, t, Math.min(1.0, 2.0 * tail));
    }

    /** {@code estimate ± q · se} with q the two-sided {@code level} quantile of its t (or normal) distribution. */
    double[] confidenceInterval(double level) {
        if (standardError == 0.0) {
            return new double[] {estimate, estimate};
        }
        if (Double.isInfinite(df)) {
            double q = NormalDistribution.of(0.0, 1.0).inverseSurvivalProbability((1.0 - level) / 2.0);
            return new double[] {estimate - q * standardError, estimate + q * standardError};
        }
        return StudentInterval.of(estimate, standardError, df, level, true);
    }
}
