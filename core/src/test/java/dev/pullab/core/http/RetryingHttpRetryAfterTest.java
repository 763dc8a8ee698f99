package dev.pullab.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.HostileServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} on 429 and 503 sets the next wait of {@link RetryingHttp}, capped by the policy. */
class RetryingHttpRetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-05-20T10:00:00Z");
    private static final RetryPolicy POLICY = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(30),
            Duration.ofSeconds(5));

    private final SteppedClock clock = new SteppedClock(NOW);
    private final RetryingHttp http = new RetryingHttp("test", POLICY, clock.sleeper(), clock);
    private HostileServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private String get() {
        return http.send(HttpRequest.newBuilder(server.uri("/x")).GET()).body();
    }

    @Test
    @DisplayName("given 503 with Retry-After in seconds, the next attempt waits that long")
    void secondsOn503() {
        server = HostileServer.start(HostileServer.status(503, Map.of("Retry-After", "7"), "busy"),
                HostileServer.json("\"ok\""));

        assertThat(get()).isEqualTo("\"ok\"");
        assertThat(clock.waits()).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    @DisplayName("given 429 with Retry-After as an HTTP date, the next attempt waits until then")
    void httpDateOn429() {
        String in12s = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(12).atZone(ZoneOffset.UTC));
        server = HostileServer.start(HostileServer.status(429, Map.of("Retry-After", in12s), "slow down"),
                HostileServer.json("\"ok\""));

        assertThat(get()).isEqualTo("\"ok\"");
        assertThat(clock.waits()).containsExactly(Duration.ofSeconds(12));
    }

    @Test
    @DisplayName("given a Retry-After longer than the policy's longest wait, the wait is capped at that")
    void cappedByMaxBackoff() {
        server = HostileServer.start(HostileServer.status(503, Map.of("Retry-After", "3600"), "busy"),
                HostileServer.json("\"ok\""));

        assertThat(get()).isEqualTo("\"ok\"");
        assertThat(clock.waits()).containsExactly(Duration.ofSeconds(30));
    }
}
