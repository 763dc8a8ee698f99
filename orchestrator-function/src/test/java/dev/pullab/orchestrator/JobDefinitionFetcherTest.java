package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.testkit.HostileServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A job definition from a hostile server: refused by name, never a stalled or exhausted orchestrator. */
class JobDefinitionFetcherTest {

    /** Attempts far shorter than the drip, far longer than reading 64 KiB over loopback. */
    private static final RetryPolicy SHORT = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1),
            Duration.ofMillis(300), Duration.ofSeconds(30));
    private static final RetryPolicy PATIENT = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1),
            Duration.ofSeconds(10));

    private HostileServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private JobDefinitionFetcher fetcher(RetryPolicy policy) {
        return new JobDefinitionFetcher(new RetryingHttp("job definition", policy, duration -> { }),
                List.of("http://127.0.0.1"), 65536);
    }

    @Test
    @DisplayName("a definition dripped a byte at a time is refused as timed out, naming the URL")
    void drippedDefinitionRefused() {
        server = HostileServer.start(HostileServer.drip(200, Duration.ofMillis(100)));

        JobDefinitionFetcher.Fetched fetched = fetcher(SHORT).fetch(server.uri("/job.json").toString());

        assertThat(fetched).isInstanceOfSatisfying(JobDefinitionFetcher.Fetched.Refused.class,
                refused -> assertThat(refused.rejection().message())
                        .contains("job definition " + server.uri("/job.json") + " is unreachable")
                        .contains("timed out: no complete answer within 300 ms"));
    }

    @Test
    @DisplayName("a definition larger than max_bytes, streamed without a length, is refused after one request")
    void oversizedDefinitionRefused() {
        server = HostileServer.start(HostileServer.oversized(8L << 20, true));

        JobDefinitionFetcher.Fetched fetched = fetcher(PATIENT).fetch(server.uri("/job.json").toString());

        assertThat(fetched).isInstanceOfSatisfying(JobDefinitionFetcher.Fetched.Refused.class,
                refused -> assertThat(refused.rejection().message()).endsWith("is larger than 65536 bytes"));
        assertThat(server.hits()).isEqualTo(1);
    }
}
