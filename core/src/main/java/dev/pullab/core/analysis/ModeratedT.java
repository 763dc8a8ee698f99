package dev.pullab.core.analysis;

import java.util.Optional;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * The verdict's test of a paired metric: its 20 % trimmed mean of {@code log(tip / base)} over the standard error
 * {@code s̃ / (0.6 √n)}, where {@code s̃²} is its winsorized variance moderated by the prior borrowed from the test's
 * metrics ({@link VariancePrior}), on its own degrees of freedom plus the prior's. Without a prior (fewer than 3
 * paired metrics) it is the trimmed-mean t ({@link TrimmedPairedT}); with an infinite prior, a z-test.
 *
 * @param estimate      the trimmed mean of the log ratios
 * @param standardError the moderated standard error
 * @param df            degrees of freedom ({@code +Infinity}: normal)
 * @param statistic     {@code estimate / standardError}
 * @param pValue        two-sided
 */
record ModeratedT(double estimate, double standardError, double df, double statistic, double pValue) {

    static ModeratedT of(VmPairs.Pairs pairs, double variance, double df, Optional<VariancePrior> prior) {
        TrimmedPairedT.Result own = pairs.trimmed();
        if (prior.isEmpty() || !own.computable()) {
            return new ModeratedT(own.trimmedMean(), own.standardError(), own.df(), own.statistic(), own.pValue());
        }
        VariancePrior borrowed = prior.get();
        double moderated = borrowed.squeeze(variance, df);
        double se = Math.sqrt(moderated) / ((1.0 - 2.0 * TrimmedPairedT.DEFAULT_TRIM) * Math.sqrt(pairs.changes().size()));
        double totalDf = df + borrowed.df();
        double estimate = own.trimmedMean();
        if (se == 0.0) {
            return estimate == 0.0 ? new ModeratedT(0.0, 0.0, totalDf, 0.0, 1.0)
                    : new ModeratedT(estimate, 0.0, totalDf, Math.copySign(Double.POSITIVE_INFINITY, estimate), 0.0);
        }
        double t = estimate / se;
        double tail = Double.isInfinite(totalDf) ? NormalDistribution.of(0.0, 1.0).survivalProbability(Math.abs(t))
                : TDistribution.of(totalDf).survivalProbability(Math.abs(t));
        return new ModeratedT(estimate, se, totalDf, t, Math.min(1.0, 2.0 * tail));
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
