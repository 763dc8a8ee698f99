package dev.pullab.core.report;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One entry of a VM's {@code results.json}: {@code "ltp.abort01": {"status": "fail", "duration_ms": 40,
 * "measurement": {"value": 1.5, "unit": "s"}}}.
 *
 * @param status      the verdict
 * @param durationMs  how long the test ran, in milliseconds, finite and not negative
 * @param measurement a measured value, when the test reports one
 */
public record LabResult(LabStatus status, OptionalDouble durationMs, Optional<Measurement> measurement) {

    public LabResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(durationMs, "durationMs");
        durationMs.ifPresent(ms -> {
            if (!Double.isFinite(ms) || ms < 0) {
                throw new IllegalArgumentException("duration must be a finite, non-negative number of ms, got " + ms);
            }
        });
        Objects.requireNonNull(measurement, "measurement");
    }

    /** A result with a status only. */
    public static LabResult of(LabStatus status) {
        return new LabResult(status, OptionalDouble.empty(), Optional.empty());
    }

    /** The duration in seconds, for KCIDB's {@code duration}. */
    public OptionalDouble durationSeconds() {
        return durationMs.isPresent() ? OptionalDouble.of(durationMs.getAsDouble() / 1000.0) : OptionalDouble.empty();
    }

    /**
     * A measured value of a {@code results.json} entry.
     *
     * @param value the value, finite
     * @param unit  its unit, e.g. {@code s}; empty for none
     */
    public record Measurement(double value, Optional<String> unit) {

        public Measurement {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a measurement must be finite, got " + value);
            }
            unit = Objects.requireNonNull(unit, "unit").filter(u -> !u.isBlank());
        }
    }
}
