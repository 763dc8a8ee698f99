package dev.pullab.core.http;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How often and how patiently to call a remote API: capped exponential backoff with full jitter
 * ({@code sleep = random(0, min(maxBackoff, initialBackoff * 2^(attempt-1)))}), each attempt bounded by
 * {@code requestTimeout} (from sending the request to the last byte of the answer, redirects included), all attempts
 * and waits together by {@code overallDeadline}.
 *
 * @param maxAttempts     attempts in all, at least 1
 * @param initialBackoff  upper bound of the first wait
 * @param maxBackoff      cap of any wait, also of one a server asks for with {@code Retry-After}
 * @param requestTimeout  deadline of one attempt: connecting, the headers and the whole body
 * @param overallDeadline deadline of the whole call: every attempt and every wait between them
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
        Duration overallDeadline) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(overallDeadline, "overallDeadline");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (overallDeadline.isNegative() || overallDeadline.isZero()) {
            throw new IllegalArgumentException("overallDeadline must be positive, got " + overallDeadline);
        }
    }

    /**
     * With the overall deadline every attempt and every wait fit in: {@code maxAttempts * requestTimeout + (maxAttempts
     * - 1) * maxBackoff}.
     */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {
        this(maxAttempts, initialBackoff, maxBackoff, requestTimeout,
                requestTimeout.multipliedBy(Math.max(1, maxAttempts))
                        .plus(maxBackoff.multipliedBy(Math.max(0, maxAttempts - 1))));
    }

    /** 5 attempts, waits up to 0.5 s, 1 s, 2 s, 4 s (capped at 8 s), 30 s per attempt, 2 minutes in all. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(30),
                Duration.ofMinutes(2));
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), given a uniform [0, 1) source. */
    public Duration backoff(int attempt, DoubleSupplier random) {
        long cap = Math.min(maxBackoff.toMillis(),
                initialBackoff.toMillis() * (1L << Math.min(30, Math.max(0, attempt - 1))));
        return Duration.ofMillis((long) (random.getAsDouble() * cap));
    }

    /** The wait a server asked for ({@code Retry-After}), no longer than {@code maxBackoff} and never negative. */
    public Duration serverAskedWait(Duration asked) {
        if (asked.isNegative()) {
            return Duration.ZERO;
        }
        return asked.compareTo(maxBackoff) > 0 ? maxBackoff : asked;
    }
}
