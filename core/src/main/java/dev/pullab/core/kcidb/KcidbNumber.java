package dev.pullab.core.kcidb;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The measured value a KCIDB test may carry ({@code number}): a benchmark metric is reported as a test whose
 * {@code number} holds the value.
 *
 * @param value  the value, finite (JSON has no NaN or infinity)
 * @param unit   the unit, e.g. {@code s}, {@code MiB}, {@code B/s}, {@code IOPS}
 * @param prefix how a reader should scale the value for display (metric: k, M, ...; binary: Ki, Mi, ...)
 */
public record KcidbNumber(double value, Optional<String> unit, Optional<Prefix> prefix) {

    /** KCIDB's {@code number.prefix}. */
    public enum Prefix {
        METRIC, BINARY;

        /** The schema's spelling: {@code metric} or {@code binary}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public KcidbNumber {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("KCIDB number value must be finite, got " + value);
        }
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(prefix, "prefix");
        unit = unit.map(KcidbTestEntry::withoutNul).filter(u -> !u.isBlank());
    }

    /** A bare value. */
    public static KcidbNumber of(double value) {
        return new KcidbNumber(value, Optional.empty(), Optional.empty());
    }

    /** A value with a unit (blank or null means none). */
    public static KcidbNumber of(double value, String unit) {
        return new KcidbNumber(value, Optional.ofNullable(unit), Optional.empty());
    }

    /** This number with a display prefix. */
    public KcidbNumber withPrefix(Prefix newPrefix) {
        return new KcidbNumber(value, unit, Optional.of(newPrefix));
    }
}
