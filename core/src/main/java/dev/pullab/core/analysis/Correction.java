package dev.pullab.core.analysis;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Multiple-testing correction applied to the p-values of all metrics of one test.
 *
 * <p>UnixBench reports 24 metrics per run; testing each at p &lt; 0.05 with no correction raises a false alarm in
 * about half of all runs without any real change. Holm controls the family-wise error rate (any false alarm),
 * Benjamini–Hochberg the false discovery rate (the share of false alarms among flagged metrics).
 */
public enum Correction {
    /** Holm–Bonferroni step-down: controls the family-wise error rate. The default. */
    HOLM,
    /** Benjamini–Hochberg step-up: controls the false discovery rate. */
    BH,
    /** No correction: pullab_cloud's behaviour. */
    NONE;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code holm}, {@code bh} or {@code none} (any case). */
    public static Correction parse(String text) {
        for (Correction c : values()) {
            if (c.label().equalsIgnoreCase(text.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown correction '" + text + "' (expected holm, bh or none)");
    }

    /** Adjusted p-values, in the order of {@code p}; each in [0, 1] and never below its raw value. */
    public double[] adjust(double[] p) {
        int m = p.length;
        Integer[] order = IntStream.range(0, m).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] adjusted = new double[m];
        switch (this) {
            case NONE -> System.arraycopy(p, 0, adjusted, 0, m);
            case HOLM -> {
                double running = 0.0;
                for (int rank = 0; rank < m; rank++) {
                    int i = order[rank];
                    running = Math.max(running, Math.min(1.0, (m - rank) * p[i]));
                    adjusted[i] = running;
                }
            }
            case BH -> {
                double running = 1.0;
                for (int rank = m - 1; rank >= 0; rank--) {
                    int i = order[rank];
                    running = Math.min(running, Math.min(1.0, p[i] * m / (rank + 1)));
                    adjusted[i] = running;
                }
            }
            default -> throw new AssertionError(this);
        }
        return adjusted;
    }
}
