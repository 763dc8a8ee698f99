package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.testkit.HostileServer;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client over real HTTP against the API double. */
class KernelCiClientTest {

    private static final String TOKEN = "maestro-token-0123456789";
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(500));
    private static final String JOB = KernelCiFixtures.nodeId(1);

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final KernelCiClient client = client(TOKEN);

    private KernelCiClient client(String token) {
        return new KernelCiClient(api.baseUri(), Optional.of(token), new RetryingHttp("KernelCI API", FAST));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    @DisplayName("an unknown node id reads as empty (the API answers 200 null)")
    void givenUnknownNode_whenRead_thenEmpty() {
        assertThat(client.node(KernelCiFixtures.nodeId(99))).isEmpty();
    }

    @Test
    @DisplayName("events come back with the node's current state and the verbatim timestamp")
    void givenJobEvent_whenPaged_thenEventWithNode() {
        api.addJob(KernelCiFixtures.job(JOB, "pull-labs-aws-ec2", "qemu-x86_64"), "2026-05-20T10:15:30.431000");

        EventPage page = client.availableJobEvents(Optional.empty(), 10);

        assertThat(page.entries()).singleElement().satisfies(e -> {
            assertThat(e.timestamp().map(EventTime::text)).contains("2026-05-20T10:15:30.431000");
            assertThat(e.event().flatMap(Event::node).map(Node::id)).contains(JOB);
        });
        assertThat(api.requests().get(0).queryParameters()).containsEntry("kind", "job")
                .containsEntry("state", "available").containsEntry("recursive", "true").containsEntry("limit", "10");
    }

    @Test
    @DisplayName("from is sent back verbatim and is strict: the event at from is not returned again")
    void givenFrom_whenPaged_thenStrictlyLater() {
        api.addJob(KernelCiFixtures.job(JOB, "rt", "p"), "2026-05-20T10:15:30.431000");
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(2), "rt", "p"), "2026-05-20T10:15:31");

        EventPage page = client.availableJobEvents(EventTime.parse("2026-05-20T10:15:30.431000"), 10);

        assertThat(page.entries()).hasSize(1);
        assertThat(api.requests().get(0).queryParameters()).containsEntry("from", "2026-05-20T10:15:30.431000");
    }

    @Test
    @DisplayName("a claim writes the marker to data.job_id without an event and keeps the node available")
    void givenAvailableJob_whenClaimed_thenMarkerWritten() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));

        ClaimOutcome outcome = client.claim(JOB, "rt:abc");

        assertThat(outcome).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(api.node(JOB).orElseThrow().at("/data/job_id").asText()).isEqualTo("rt:abc");
        assertThat(api.node(JOB).orElseThrow().get("state").asText()).isEqualTo("available");
        assertThat(api.node(JOB).orElseThrow().at("/data/kernel_revision/commit").asText()).isNotEmpty();
        assertThat(api.events()).isEmpty();
    }

    @Test
    @DisplayName("a claim the API answers with the node as stored takes two requests: the read and the PATCH, no "
            + "read-back")
    void givenPatchAnswerShowsMarker_whenClaimed_thenNoReadBack() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));

        assertThat(client.claim(JOB, "rt:abc")).isEqualTo(ClaimOutcome.CLAIMED);

        assertThat(api.requests()).extracting(KernelCiApiDouble.RecordedRequest::method)
                .containsExactly("GET", "PATCH");
    }

    @Test
    @DisplayName("a PATCH answered without the node is checked with one read-back, which decides the outcome")
    void givenPatchAnswerWithoutNode_whenClaimed_thenReadBackDecides() {
        ObjectNode unclaimed = KernelCiFixtures.job(JOB, "rt", "p");
        ObjectNode claimed = unclaimed.deepCopy();
        claimed.withObject("/data").put("job_id", "rt:abc");
        try (HostileServer server = HostileServer.start(HostileServer.json(unclaimed.toString()),
                HostileServer.json(""), HostileServer.json(claimed.toString()))) {
            KernelCiClient stubbed = new KernelCiClient(server.uri("/latest"), Optional.of(TOKEN),
                    new RetryingHttp("KernelCI API", FAST));

            assertThat(stubbed.claim(JOB, "rt:abc")).isEqualTo(ClaimOutcome.CLAIMED);
            assertThat(server.hits()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("a PATCH answer showing another lab's marker (a lost race) is read back, and the job is theirs")
    void givenPatchAnswerWithOtherMarker_whenClaimed_thenReadBackAndClaimedByOther() {
        ObjectNode unclaimed = KernelCiFixtures.job(JOB, "rt", "p");
        ObjectNode theirs = unclaimed.deepCopy();
        theirs.withObject("/data").put("job_id", "rt:other");
        try (HostileServer server = HostileServer.start(HostileServer.json(unclaimed.toString()),
                HostileServer.json(theirs.toString()), HostileServer.json(theirs.toString()))) {
            KernelCiClient stubbed = new KernelCiClient(server.uri("/latest"), Optional.of(TOKEN),
                    new RetryingHttp("KernelCI API", FAST));

            assertThat(stubbed.claim(JOB, "rt:abc")).isEqualTo(ClaimOutcome.CLAIMED_BY_OTHER);
            assertThat(server.hits()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("claiming again with the same marker writes nothing; another lab's marker is respected")
    void givenClaimedNode_whenClaimedAgain_thenIdempotentOrRefused() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        client.claim(JOB, "rt:abc");
        api.clearRequests();

        assertThat(client.claim(JOB, "rt:abc")).isEqualTo(ClaimOutcome.CLAIMED);
        assertThat(api.requests()).extracting(KernelCiApiDouble.RecordedRequest::method).containsOnly("GET");
        assertThat(client.claim(JOB, "rt:other")).isEqualTo(ClaimOutcome.CLAIMED_BY_OTHER);
    }

    @Test
    @DisplayName("a job that left available cannot be claimed")
    void givenDoneNode_whenClaimed_thenNotAvailable() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p").put("state", "done"));

        assertThat(client.claim(JOB, "rt:abc")).isEqualTo(ClaimOutcome.NOT_AVAILABLE);
    }

    @Test
    @DisplayName("finish puts the hierarchy: job done, children created under it; a second finish writes nothing")
    void givenClaimedJob_whenFinished_thenDoneWithChildren() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        JobOutcome outcome = new JobOutcome(JOB, NodeResult.PASS, Optional.empty(), Optional.empty(),
                Map.of("test_log", "https://results.example/log.txt"),
                List.of(NodeTestResult.leaf("boot", NodeResult.PASS)));

        assertThat(client.finish(outcome)).isEqualTo(FinishOutcome.FINISHED);
        assertThat(client.finish(outcome)).isEqualTo(FinishOutcome.ALREADY_DONE);

        assertThat(api.node(JOB).orElseThrow().get("state").asText()).isEqualTo("done");
        assertThat(api.nodes()).anySatisfy(n -> {
            assertThat(n.get("parent").asText()).isEqualTo(JOB);
            assertThat(n.get("name").asText()).isEqualTo("boot");
            assertThat(n.get("result").asText()).isEqualTo("pass");
        });
        assertThat(api.requests()).filteredOn(r -> r.method().equals("PUT")).hasSize(1);
    }

    @Test
    @DisplayName("an incomplete job is finished with KernelCI's error code, accepted by the API")
    void givenInvalidJob_whenFinishedIncomplete_thenErrorCodeStored() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));

        client.finish(JobOutcome.incomplete(JOB, ErrorCode.INVALID_JOB_PARAMS, "no kernel artifact"));

        assertThat(api.node(JOB).orElseThrow().at("/data/error_code").asText()).isEqualTo("invalid_job_params");
        assertThat(api.node(JOB).orElseThrow().get("result").asText()).isEqualTo("incomplete");
    }

    @Test
    @DisplayName("5xx answers are retried until one succeeds")
    void givenServerErrors_whenRead_thenRetried() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        api.failNext(2, 503);

        assertThat(client.node(JOB)).isPresent();
        assertThat(api.requests()).hasSize(3);
    }

    @Test
    @DisplayName("each attempt names its number (Pullab-Attempt), so the server tells a transport retry from a new call")
    void givenServerErrors_whenRetried_thenAttemptsNumbered() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        api.failNext(2, 503);

        client.node(JOB);
        client.node(JOB);

        assertThat(api.requests()).extracting(KernelCiApiDouble.RecordedRequest::attempt).containsExactly(1, 2, 3, 1);
    }

    @Test
    @DisplayName("a timeout is retried")
    void givenSlowAnswer_whenRead_thenRetriedAfterTimeout() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        api.delayNext(1, Duration.ofSeconds(2));

        assertThat(client.node(JOB)).isPresent();
    }

    @Test
    @DisplayName("401 is not retried and the message names the problem, never the token")
    void givenWrongToken_whenClaiming_thenOneAttemptAndNoTokenInMessage() {
        api.putNode(KernelCiFixtures.job(JOB, "rt", "p"));
        KernelCiClient wrong = client("wrong-secret-token-xyz");

        assertThatThrownBy(() -> wrong.claim(JOB, "rt:abc"))
                .isInstanceOf(HttpCallException.class)
                .satisfies(e -> assertThat(((HttpCallException) e).isAuthFailure()).isTrue())
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("check the token")
                .hasMessageNotContaining("wrong-secret-token-xyz");
        assertThat(api.requests()).filteredOn(r -> r.method().equals("PATCH")).hasSize(1);
    }

    @Test
    @DisplayName("other 4xx answers are not retried")
    void givenBadRequest_whenCalled_thenNoRetry() {
        api.failNext(1, 400);

        assertThatThrownBy(() -> client.node(JOB)).hasMessageContaining("HTTP 400");
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    @DisplayName("whoami: the token's user and its groups, as the API's GET /whoami answers")
    void givenToken_whenWhoami_thenUserWithGroups() {
        api.setUserGroups(List.of("runtime:pull-labs-demo:node-editor"));

        KernelCiUser user = client.whoami();

        assertThat(user.username()).isEqualTo(KernelCiApiDouble.DEFAULT_USERNAME);
        assertThat(user.groups()).containsExactly("runtime:pull-labs-demo:node-editor");
        assertThat(user.mayEditNodesOf("pull-labs-demo")).isTrue();
    }

    @Test
    @DisplayName("whoami with a token the API refuses is a 401 failure that does not show the token")
    void givenBadToken_whenWhoami_thenUnauthorized() {
        assertThatThrownBy(() -> client("wrong-token-42").whoami())
                .isInstanceOfSatisfying(HttpCallException.class,
                        e -> assertThat(e.status()).hasValue(401))
                .message().doesNotContain("wrong-token-42");
    }
}
