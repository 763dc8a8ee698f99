package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Values near the ends of the double range: sums and squares of the raw values overflow (or underflow), yet the
 * verdict must be the one the same values at an ordinary scale get. Never a NaN p-value, never a silent "no
 * regression".
 */
class ExtremeMagnitudeTest {

    private static final double[] BASE = {57000, 57600, 56400, 57300, 56700};
    private static final double[] TIP = {42000, 41700, 42300, 41900, 42100};

    @Test
    @DisplayName("a clear regression at ~1e307 (sums overflow) is detected with the ordinary-scale statistics")
    void givenRegressionNearDoubleMax_whenAnalysed_thenDetected() {
        MetricComparison huge = compare(scaled(BASE, 1.5e302), scaled(TIP, 1.5e302));
        MetricComparison ordinary = compare(BASE, TIP);

        assertThat(huge.isRegression()).isTrue();
        assertThat(huge.tPvalue()).isEqualTo(ordinary.tPvalue(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(huge.uPvalue()).isEqualTo(ordinary.uPvalue());
        assertThat(huge.cohensD()).isCloseTo(ordinary.cohensD(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(huge.pctChange()).isCloseTo(ordinary.pctChange(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(huge.base().mean()).isCloseTo(57000 * 1.5e302, org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(huge.base().stddev()).isFinite().isPositive();
        assertThat(huge.base().cv()).isCloseTo(ordinary.base().cv(), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    @DisplayName("values whose sum overflows but whose spread is tiny still compare (mean of 1.7e308 values)")
    void givenValuesAtDoubleMax_whenAnalysed_thenFiniteStatistics() {
        double max = Double.MAX_VALUE;
        MetricComparison c = compare(new double[] {max, max * 0.999, max * 0.998, max * 0.9995},
                new double[] {max * 0.5, max * 0.501, max * 0.499, max * 0.5005});

        assertThat(c.isRegression()).isTrue();
        assertThat(c.base().mean()).isFinite();
        assertThat(c.tPvalue()).isBetween(0.0, 0.05);
        assertThat(c.pctChange()).isCloseTo(-50.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    @DisplayName("a clear regression at ~1e-300 (squares underflow) is detected too")
    void givenRegressionNearDoubleMin_whenAnalysed_thenDetected() {
        MetricComparison tiny = compare(scaled(BASE, 1e-305), scaled(TIP, 1e-305));

        assertThat(tiny.isRegression()).isTrue();
        assertThat(tiny.cohensD()).isCloseTo(compare(BASE, TIP).cohensD(), org.assertj.core.data.Offset.offset(1e-6));
    }

    private static MetricComparison compare(double[] base, double[] tip) {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults())
                .analyze(new RunBuilder().metric("t", "m", true, base, tip).build());
        return report.tests().get(0).comparisons().get(0);
    }

    private static double[] scaled(double[] values, double factor) {
        return Arrays.stream(values).map(v -> v * factor).toArray();
    }
}
