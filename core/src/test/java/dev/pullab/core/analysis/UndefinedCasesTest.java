package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cases scipy answers with nan, inf or a warning, pinned to the values the README documents. */
class UndefinedCasesTest {

    private static final double[] FIVES = {5, 5, 5, 5};
    private static final double[] SEVENS = {7, 7, 7, 7};

    @Test
    @DisplayName("identical constant samples: Welch p = 1, t = 0; Mann-Whitney p = 1; d = 0")
    void identicalConstantSamples() {
        SampleSummary s = SampleSummary.of(FIVES);

        WelchT.Result welch = WelchT.test(FIVES, FIVES, s, s);
        MannWhitneyU.Result mwu = MannWhitneyU.test(FIVES, FIVES);

        assertThat(welch.statistic()).isZero();
        assertThat(welch.pValue()).isEqualTo(1.0);
        assertThat(mwu.pValue()).isEqualTo(1.0);
        assertThat(mwu.statistic()).isEqualTo(8.0);
        assertThat(CohensD.of(s, s)).isZero();
    }

    @Test
    @DisplayName("different constant samples: Welch p = 0 and t = +inf (as scipy); d = +inf when the tip is lower")
    void differentConstantSamples() {
        SampleSummary sevens = SampleSummary.of(SEVENS);
        SampleSummary fives = SampleSummary.of(FIVES);

        WelchT.Result welch = WelchT.test(SEVENS, FIVES, sevens, fives);

        assertThat(welch.statistic()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(welch.pValue()).isZero();
        assertThat(CohensD.of(sevens, fives)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(CohensD.of(fives, sevens)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    @DisplayName("a single value on one side: Welch is not computable (p = 1), the other statistics still are")
    void singleValue() {
        double[] one = {10};
        double[] many = {1, 2, 3, 4};

        WelchT.Result welch = WelchT.test(one, many, SampleSummary.of(one), SampleSummary.of(many));
        MannWhitneyU.Result mwu = MannWhitneyU.test(one, many);

        assertThat(welch.computable()).isFalse();
        assertThat(welch.pValue()).isEqualTo(1.0);
        assertThat(mwu.method()).isEqualTo(MannWhitneyU.Method.EXACT);
        assertThat(mwu.pValue()).isBetween(0.0, 1.0);
        assertThat(SampleSummary.of(one).stddev()).isZero();
        assertThat(CohensD.of(SampleSummary.of(one), SampleSummary.of(many))).isFinite();
    }

    @Test
    @DisplayName("one value on each side: Cohen's d has no pooled SD and is 0")
    void oneValueEachSide() {
        assertThat(CohensD.of(SampleSummary.of(new double[] {1}), SampleSummary.of(new double[] {2}))).isZero();
    }

    @Test
    @DisplayName("a zero mean with spread gives an infinite coefficient of variation, not NaN")
    void zeroMeanCoefficientOfVariation() {
        assertThat(SampleSummary.of(new double[] {-1, 1}).cv()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(SampleSummary.of(new double[] {0, 0}).cv()).isZero();
    }

    @Test
    @DisplayName("pct change against a zero base mean is 0 when the tip is also 0, signed infinity otherwise")
    void pctChangeAgainstZeroBase() {
        assertThat(RegressionAnalyzer.pctChange(0, 0)).isZero();
        assertThat(RegressionAnalyzer.pctChange(0, 3)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(RegressionAnalyzer.pctChange(0, -3)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(RegressionAnalyzer.pctChange(200, 150)).isEqualTo(-25.0);
    }
}
