package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The prior borrowed across a test's metrics against limma's fitFDist without covariates, re-done in Python with
 * scipy (digamma, polygamma, brentq to 1e-15):
 * {@code e = log(s2) - digamma(d/2) + log(d/2); evar = var(e, ddof=1) - mean(trigamma(d/2));
 * d0 = 2 * trigamma^-1(evar); s0² = exp(mean(e) + digamma(d0/2) - log(d0/2))}, infinite d0 when evar <= 0.
 */
@DisplayName("borrowing variance across a test's metrics (limma's fitFDist)")
class VariancePriorTest {

    @Test
    @DisplayName("variances that differ no more than chance pool fully: infinite prior df")
    void homogeneousPoolsFully() {
        VariancePrior prior = VariancePrior.fit(new double[] {1.0, 1.1, 0.9, 1.05, 0.95}, new double[] {5, 5, 5, 5, 5})
                .orElseThrow();

        assertThat(prior.df()).isInfinite();
        assertThat(prior.variance()).isCloseTo(1.2344473721789024, within(1e-12));
        assertThat(prior.squeeze(3.0, 5)).isEqualTo(prior.variance());
    }

    @Test
    @DisplayName("widely different variances lend little: a small prior df, as scipy's re-computation")
    void heterogeneousLendsLittle() {
        VariancePrior prior = VariancePrior.fit(new double[] {0.2, 1.0, 3.0, 0.5, 8.0, 1.5},
                new double[] {5, 5, 9, 9, 5, 9}).orElseThrow();

        assertThat(prior.df()).isCloseTo(2.324973828362597, within(1e-9));
        assertThat(prior.variance()).isCloseTo(0.8953372086810383, within(1e-9));
        assertThat(prior.squeeze(8.0, 5)).isCloseTo((prior.df() * prior.variance() + 5 * 8.0) / (prior.df() + 5),
                within(1e-12));
    }

    @Test
    @DisplayName("a finite prior in between, as scipy's re-computation")
    void moderateSpread() {
        VariancePrior prior = VariancePrior.fit(new double[] {0.01, 0.04, 0.02, 0.09}, new double[] {4, 4, 4, 4})
                .orElseThrow();

        assertThat(prior.df()).isCloseTo(9.26141489542789, within(1e-8));
        assertThat(prior.variance()).isCloseTo(0.034133221723863044, within(1e-10));
    }

    @Test
    @DisplayName("fewer than 3 metrics with a positive variance give no prior")
    void tooFewMetrics() {
        assertThat(VariancePrior.fit(new double[] {1.0, 0.0, 2.0}, new double[] {5, 5, 5})).isEmpty();
    }
}
