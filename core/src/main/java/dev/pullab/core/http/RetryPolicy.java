package dev.pullab.core.http;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How often and how patiently to call a remote API: capped exponential backoff with full jitter
 * ({@code sleep = random(0, min(maxBackoff, initialBackoff * 2^(attempt-1)))}), each attempt bounded by
 * {@code requestTimeout}.
 *
 * @param maxAttempts    attempts in all, at least 1
 * @param initialBackoff upper bound of the first wait
 * @param maxBackoff     cap of any wait
 * @param requestTimeout timeout of one attempt
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** 5 attempts, waits up to 0.5 s, 1 s, 2 s, 4 s (capped at 8 s), 30 s per attempt. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(30));
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), given a uniform [0, 1) source. */
    public Duration backoff(int attempt, DoubleSupplier random) {
        long cap = Math.min(maxBackoff.toMillis(),
                initialBackoff.toMillis() * (1L << Math.min(30, Math.max(0, attempt - 1))));
        return Duration.ofMillis((long) (random.getAsDouble() * cap));
    }
}
