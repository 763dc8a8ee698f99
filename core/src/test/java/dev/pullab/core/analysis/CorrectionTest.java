package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CorrectionTest {

    private static final double[] P = {0.01, 0.04, 0.03, 0.005};

    @Test
    @DisplayName("Holm multiplies the k-th smallest p by (m - k + 1) and keeps the order monotone")
    void holmStepDown() {
        assertThat(Correction.HOLM.adjust(P)).containsExactly(0.03, 0.06, 0.06, 0.02);
    }

    @Test
    @DisplayName("Benjamini-Hochberg multiplies the k-th smallest p by m / k, taking the minimum from above")
    void benjaminiHochbergStepUp() {
        assertThat(Correction.BH.adjust(P)).containsExactly(0.02, 0.04, 0.04, 0.02);
    }

    @Test
    @DisplayName("adjusted p-values are capped at 1 and never below the raw p-value")
    void cappedAndNotBelowRaw() {
        double[] p = {0.5, 0.9, 0.7};
        for (Correction c : Correction.values()) {
            double[] adjusted = c.adjust(p);
            for (int i = 0; i < p.length; i++) {
                assertThat(adjusted[i]).isBetween(p[i], 1.0);
            }
        }
    }

    @Test
    @DisplayName("an empty family adjusts to an empty array")
    void emptyFamily() {
        assertThat(Correction.HOLM.adjust(new double[0])).isEmpty();
    }

    @Test
    @DisplayName("parse accepts the CLI names in any case and names the valid ones on error")
    void parse() {
        assertThat(Correction.parse("Holm")).isEqualTo(Correction.HOLM);
        assertThat(Correction.parse("bh")).isEqualTo(Correction.BH);
        assertThat(Correction.parse("NONE")).isEqualTo(Correction.NONE);
        assertThatThrownBy(() -> Correction.parse("bonferroni"))
                .hasMessageContaining("bonferroni").hasMessageContaining("holm, bh or none");
    }
}
