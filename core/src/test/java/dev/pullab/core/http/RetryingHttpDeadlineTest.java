package dev.pullab.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.testkit.HostileServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Deadlines of {@link RetryingHttp}: per attempt (the whole body included) and across retries. */
class RetryingHttpDeadlineTest {

    private HostileServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("given a server that drips the body a byte at a time, the attempt fails as a timeout at its deadline")
    void drippedBodyTimesOut() {
        server = HostileServer.start(HostileServer.drip(200, Duration.ofMillis(100)));
        RetryingHttp http = new RetryingHttp("test", new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofMillis(300), Duration.ofSeconds(60)));

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/events")).GET()))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TIMEOUT);
                    assertThat(e.getMessage()).contains("test GET " + server.uri("/events"))
                            .contains("timed out: no complete answer within 300 ms (the deadline of one attempt");
                });
    }

    @Test
    @DisplayName("given a server that always asks to come back later, the overall deadline ends the retries")
    void overallDeadlineEndsRetries() {
        server = HostileServer.start(HostileServer.status(503, Map.of("Retry-After", "10"), "busy"));
        SteppedClock clock = new SteppedClock(Instant.parse("2026-05-20T10:00:00Z"));
        RetryPolicy patientButBounded = new RetryPolicy(100, Duration.ofMillis(1), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofSeconds(25));
        RetryingHttp http = new RetryingHttp("test", patientButBounded, clock.sleeper(), clock);

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/x")).GET()))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TIMEOUT);
                    assertThat(e.getMessage()).contains("failed after 3 attempts: HTTP 503")
                            .contains("overall deadline of 25 s");
                });
        assertThat(server.hits()).isEqualTo(3);
        assertThat(clock.waits()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("an Error while reading an answer (out of memory) is thrown as it is, never called a network failure")
    void errorsPropagate() {
        server = HostileServer.start(HostileServer.json("[1, 2, 3]"));
        RetryingHttp http = new RetryingHttp("test", new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(5)), duration -> { }, Clock.systemUTC());

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(server.uri("/events")).GET(),
                info -> new ExhaustedMemory(), body -> body))
                .isInstanceOf(OutOfMemoryError.class).hasMessage("simulated: Java heap space");
        assertThat(server.hits()).isEqualTo(1);
    }

    /** A body subscriber that runs out of memory on the first bytes, as a huge body read in full would. */
    private static final class ExhaustedMemory implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> body = new CompletableFuture<>();

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            throw new OutOfMemoryError("simulated: Java heap space");
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete("");
        }
    }
}
