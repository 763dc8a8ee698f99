package dev.pullab.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.testkit.HostileServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every body {@link RetryingHttp} reads as text is capped; too large is a named failure, never retried. */
class RetryingHttpBodyCapTest {

    private final RetryingHttp http = new RetryingHttp("test", new RetryPolicy(5, Duration.ofMillis(1),
            Duration.ofMillis(1), Duration.ofSeconds(5)), duration -> { });
    private HostileServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("given an answer larger than the cap with a Content-Length, it fails as too large after one attempt")
    void tooLargeWithLength() {
        server = HostileServer.start(HostileServer.oversized(5000, false));

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/page")).GET(), 1000))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE);
                    assertThat(e.getMessage()).isEqualTo("test answer from " + server.uri("/page")
                            + " larger than 1000 bytes");
                });
        assertThat(server.hits()).isEqualTo(1);
    }

    @Test
    @DisplayName("given an answer larger than the cap sent chunked (no Content-Length), it fails as too large")
    void tooLargeChunked() {
        server = HostileServer.start(HostileServer.oversized(5L << 20, true));

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/page")).GET(), 1000))
                .isInstanceOfSatisfying(HttpCallException.class,
                        e -> assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE));
        assertThat(server.hits()).isEqualTo(1);
    }

    @Test
    @DisplayName("the plain send caps answers at 1 MiB")
    void defaultCap() {
        server = HostileServer.start(HostileServer.oversized((1 << 20) + 1, true));

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/page")).GET()))
                .isInstanceOfSatisfying(HttpCallException.class,
                        e -> assertThat(e.getMessage()).endsWith("larger than " + (1 << 20) + " bytes"));
    }

    @Test
    @DisplayName("an answer of exactly the cap is read whole")
    void exactlyTheCap() {
        server = HostileServer.start(HostileServer.oversized(1000, true));

        assertThat(http.send(HttpRequest.newBuilder(server.uri("/page")).GET(), 1000).body()).hasSize(1000);
    }
}
