package dev.pullab.core.kcidb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.testkit.HostileServer;
import dev.pullab.testkit.KcidbReceiverDouble;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KcidbClient against a kcidb-restd-rs double")
class KcidbClientTest {

    private static final String SECRET = "test-secret";
    private static final RetryPolicy FAST =
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5));

    private final KcidbReceiverDouble receiver = KcidbReceiverDouble.start(SECRET, KcidbValidator::validate);
    private final JsonNode revision = new KcidbRevisionBuilder("pullab_test", id -> Optional.empty())
            .build(KcidbFixtures.jobNode(), "maestro:" + KcidbFixtures.KBUILD_NODE_ID,
                    List.of(KcidbTestEntry.of("boot", KcidbStatus.PASS)));

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private KcidbClient client(String jwt) {
        return new KcidbClient(new KcidbSettings(receiver.submitUrl(), jwt, "pullab_test"), FAST);
    }

    private KcidbClient client() {
        return client(KcidbReceiverDouble.jwt(SECRET, "pullab_test"));
    }

    @Test
    @DisplayName("submit returns the receiver's submission id")
    void submitReturnsId() {
        String id = client().submit(revision);

        assertThat(id).matches("[A-Za-z0-9]{32}");
        assertThat(receiver.submissions()).singleElement().satisfies(s -> assertThat(s.id()).isEqualTo(id));
    }

    @Test
    @DisplayName("the submitted body is the revision, valid, sent as application/json")
    void submitSendsValidJson() {
        client().submit(revision);

        assertThat(receiver.submissions()).singleElement().satisfies(s -> assertThat(s.body()).isEqualTo(revision));
        assertThat(receiver.allSubmissionsValid()).isTrue();
        assertThat(receiver.requests()).singleElement()
                .satisfies(r -> assertThat(r.contentType()).isEqualTo("application/json"));
    }

    @Test
    @DisplayName("a JWT signed with another secret gets a 401 error, without retry")
    void badJwtRejectedWithoutRetry() {
        KcidbClient client = client(KcidbReceiverDouble.jwt("wrong-secret", "pullab_test"));

        assertThatThrownBy(() -> client.submit(revision))
                .isInstanceOf(HttpCallException.class)
                .hasMessageContaining("KCIDB rejected the JWT (HTTP 401)")
                .satisfies(e -> assertThat(((HttpCallException) e).isAuthFailure()).isTrue());
        assertThat(receiver.requestCount("POST", "/submit")).isEqualTo(1);
    }

    @Test
    @DisplayName("the 401 message never contains the JWT")
    void rejectionHidesJwt() {
        String jwt = KcidbReceiverDouble.jwt("wrong-secret", "pullab_test");

        assertThatThrownBy(() -> client(jwt).submit(revision)).hasMessageNotContaining(jwt);
    }

    @Test
    @DisplayName("an expired JWT is rejected")
    void expiredJwtRejected() {
        String jwt = KcidbReceiverDouble.jwt(SECRET,
                Map.of("origin", "pullab_test", "exp", Instant.now().getEpochSecond() - 3600));

        assertThatThrownBy(() -> client(jwt).submit(revision))
                .isInstanceOf(HttpCallException.class).hasMessageContaining("ExpiredSignature");
    }

    @Test
    @DisplayName("a JWT with an aud claim is rejected")
    void jwtWithAudienceRejected() {
        String jwt = KcidbReceiverDouble.jwt(SECRET, Map.of("origin", "pullab_test",
                "exp", Instant.now().getEpochSecond() + 3600, "aud", List.of("fastapi-users:auth")));

        assertThatThrownBy(() -> client(jwt).submit(revision))
                .isInstanceOf(HttpCallException.class).hasMessageContaining("InvalidAudience");
    }

    @Test
    @DisplayName("a 500 is retried and the next attempt succeeds")
    void serverErrorRetried() {
        receiver.failNext(1, 500);

        String id = client().submit(revision);

        assertThat(id).isNotBlank();
        assertThat(receiver.requestCount("POST", "/submit")).isEqualTo(2);
    }

    @Test
    @DisplayName("persistent 503s fail after the policy's attempts")
    void retriesExhausted() {
        receiver.failNext(10, 503);

        assertThatThrownBy(() -> client().submit(revision)).isInstanceOf(HttpCallException.class)
                .hasMessageContaining("after 3 attempts");
        assertThat(receiver.requestCount("POST", "/submit")).isEqualTo(3);
    }

    @Test
    @DisplayName("an invalid payload is refused naming the field, and never sent")
    void invalidPayloadNeverSent() {
        JsonNode invalid = KcidbFixtures.read("invalid_naive_start_time.json");

        assertThatThrownBy(() -> client().submit(invalid))
                .isInstanceOf(InvalidKcidbPayloadException.class)
                .hasMessageContaining("$.tests[0].start_time");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    @DisplayName("the status of a stored submission is READY")
    void statusOfKnownId() {
        KcidbClient client = client();
        String id = client.submit(revision);

        assertThat(client.status(id)).isEqualTo(SubmissionStatus.READY);
    }

    @Test
    @DisplayName("the status of an unknown submission is NOTFOUND, not an error")
    void statusOfUnknownId() {
        assertThat(client().status("0123456789abcdef0123456789abcdef")).isEqualTo(SubmissionStatus.NOTFOUND);
    }

    @Test
    @DisplayName("a status query with a rejected JWT is a 401 error")
    void statusWithBadJwt() {
        KcidbClient client = client(KcidbReceiverDouble.jwt("wrong-secret", "pullab_test"));

        assertThatThrownBy(() -> client.status("abc")).isInstanceOf(HttpCallException.class)
                .hasMessageContaining("HTTP 401");
    }

    @Test
    @DisplayName("an answer to a submission above 64 KiB fails as too large, after one request")
    void submitAnswerCapped() {
        try (HostileServer hostile = HostileServer.start(
                HostileServer.oversized(KcidbClient.MAX_ANSWER_BYTES + 1L, true))) {
            KcidbClient client = new KcidbClient(new KcidbSettings(hostile.uri("/submit"),
                    KcidbReceiverDouble.jwt(SECRET, "pullab_test"), "pullab_test"), FAST);

            assertThatThrownBy(() -> client.submit(revision))
                    .isInstanceOfSatisfying(HttpCallException.class, e -> {
                        assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE);
                        assertThat(e.getMessage()).isEqualTo("KCIDB answer from " + hostile.uri("/submit")
                                + " larger than 65536 bytes");
                    });
            assertThat(hostile.hits()).isEqualTo(1);
        }
    }
}
