package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.testkit.HostileServer;
import dev.pullab.testkit.KernelCiFixtures;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every answer the KernelCI client reads has a cap sized for it; past it the call fails once, by name. */
class KernelCiClientBodyCapTest {

    private static final String JOB = KernelCiFixtures.nodeId(1);
    private static final RetryPolicy FAST = new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(1),
            Duration.ofSeconds(10));

    private HostileServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private KernelCiClient client() {
        return new KernelCiClient(server.uri("/latest"), Optional.of("token-0123456789"),
                new RetryingHttp("KernelCI API", FAST, duration -> { }));
    }

    @Test
    @DisplayName("an events page above 16 MiB, streamed without a length, fails as too large after one request")
    void eventsPageCapped() {
        server = HostileServer.start(HostileServer.oversized(KernelCiClient.MAX_EVENTS_PAGE_BYTES + (1L << 20), true));

        assertThatThrownBy(() -> client().availableJobEvents(Optional.empty(), 1000))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE);
                    assertThat(e.getMessage()).startsWith("KernelCI API answer from " + server.uri("/latest/events?"))
                            .endsWith(" larger than 16777216 bytes");
                });
        assertThat(server.hits()).isEqualTo(1);
    }

    @Test
    @DisplayName("a node above 1 MiB, with a Content-Length, fails as too large after one request")
    void nodeCapped() {
        server = HostileServer.start(HostileServer.oversized(KernelCiClient.MAX_NODE_BYTES + 1L, false));

        assertThatThrownBy(() -> client().node(JOB))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE);
                    assertThat(e.getMessage()).isEqualTo("KernelCI API answer from " + server.uri("/latest/node/" + JOB)
                            + " larger than 1048576 bytes");
                });
        assertThat(server.hits()).isEqualTo(1);
    }

    @Test
    @DisplayName("an answer to a claim's write above its cap fails as too large")
    void claimAnswerCapped() {
        String node = KernelCiFixtures.job(JOB, "pull-labs-aws-ec2", "qemu-x86_64").toString();
        server = HostileServer.start(HostileServer.json(node),
                HostileServer.oversized(KernelCiClient.MAX_WRITE_ANSWER_BYTES + 1L, true));

        assertThatThrownBy(() -> client().claim(JOB, "pullab:run-1"))
                .isInstanceOfSatisfying(HttpCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(HttpCallException.Failure.TOO_LARGE);
                    assertThat(e.getMessage()).contains("answer from " + server.uri("/latest/node/" + JOB));
                });
        assertThat(server.hits()).isEqualTo(2);
    }
}
