package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.testkit.KernelCiApiKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link KernelCiClient} against the real upstream KernelCI API (the peer kit), served as upstream serves it. Every
 * assertion reads back what the API stored, not what our client says it did.
 */
class KernelCiClientRealApiIT {

    private static final KernelCiApiKit API = KernelCiApiKit.get();

    private final KernelCiClient client = new KernelCiClient(API.baseUri(), Optional.of(API.labToken()),
            new RetryingHttp("KernelCI API", new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(200),
                    Duration.ofSeconds(20))));

    /** One job on a platform of its own, so tests sharing the API never see each other's jobs. */
    private static KernelCiApiKit.SeededJob seedJob() {
        String platform = "it-" + UUID.randomUUID().toString().substring(0, 8);
        return API.seed("http://127.0.0.1:9/jobs/{platform}.json", List.of("baseline-x86:x86_64:" + platform),
                Optional.empty()).get(0);
    }

    private String marker() {
        return API.runtime() + ":" + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    @DisplayName("the events query finds a seeded available job with its current node (recursive)")
    void eventsFindTheJob() {
        KernelCiApiKit.SeededJob job = seedJob();

        EventPage page = client.availableJobEvents(Optional.empty(), KernelCiClient.MAX_RECURSIVE_LIMIT);

        assertThat(page.entries()).filteredOn(e -> e.event().flatMap(Event::node).map(Node::id)
                .filter(job.id()::equals).isPresent()).singleElement().satisfies(entry -> {
                    Node node = entry.event().orElseThrow().node().orElseThrow();
                    assertThat(node.state()).isEqualTo("available");
                    assertThat(node.runtime()).contains(API.runtime());
                    assertThat(node.platform()).contains(job.platform());
                    assertThat(node.artifact("job_definition")).contains(job.jobDefinition());
                    assertThat(entry.timestamp()).isPresent();
                });
    }

    @Test
    @DisplayName("a claim is stored as data.job_id, keeps the rest of data and the state, and emits no event")
    void claimIsStored() {
        KernelCiApiKit.SeededJob job = seedJob();
        int eventsBefore = API.events(job.id()).size();
        String marker = marker();

        assertThat(client.claim(job.id(), marker)).isEqualTo(ClaimOutcome.CLAIMED);

        JsonNode stored = API.node(job.id());
        assertThat(stored.path("state").asText()).isEqualTo("available");
        assertThat(stored.at("/data/job_id").asText()).isEqualTo(marker);
        assertThat(stored.at("/data/runtime").asText()).isEqualTo(API.runtime());
        assertThat(stored.at("/data/platform").asText()).isEqualTo(job.platform());
        assertThat(stored.at("/data/kernel_revision/commit").asText()).isNotBlank();
        assertThat(API.events(job.id())).hasSize(eventsBefore);
        assertThat(client.claim(job.id(), marker)).as("claiming again").isEqualTo(ClaimOutcome.CLAIMED);
    }

    @Test
    @DisplayName("a claim takes two requests, the read and the PATCH: the API answers the PATCH with the node as"
            + " stored, our marker on it, so no read-back is needed")
    void claimInTwoRequests() throws Exception {
        KernelCiApiKit.SeededJob job = seedJob();
        String marker = marker();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.net.http.HttpClient upstream = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        com.sun.net.httpserver.HttpServer relay = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        String base = API.baseUri().toString().replaceAll("/+$", "");
        String prefix = API.baseUri().getPath().replaceAll("/+$", "");
        relay.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                String query = exchange.getRequestURI().getRawQuery();
                seen.add(exchange.getRequestMethod() + " " + path.substring(prefix.length()));
                byte[] body = exchange.getRequestBody().readAllBytes();
                java.net.http.HttpRequest.Builder forward = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        base + path.substring(prefix.length()) + (query == null ? "" : "?" + query)))
                        .method(exchange.getRequestMethod(), java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
                for (String header : List.of("Authorization", "Content-Type", "Accept")) {
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst(header))
                            .ifPresent(v -> forward.header(header, v));
                }
                java.net.http.HttpResponse<byte[]> answer = upstream.send(forward.build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        relay.start();
        try {
            KernelCiClient relayed = new KernelCiClient(java.net.URI.create("http://127.0.0.1:"
                    + relay.getAddress().getPort() + prefix), Optional.of(API.labToken()),
                    new RetryingHttp("KernelCI API", new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(200),
                            Duration.ofSeconds(20))));

            assertThat(relayed.claim(job.id(), marker)).isEqualTo(ClaimOutcome.CLAIMED);
        } finally {
            relay.stop(0);
        }

        assertThat(seen).containsExactly("GET /node/" + job.id(), "PATCH /node/" + job.id());
        assertThat(API.node(job.id()).at("/data/job_id").asText()).isEqualTo(marker);
    }

    @Test
    @DisplayName("a node another lab already claimed is answered CLAIMED_BY_OTHER and left as it was")
    void claimedByAnotherLab() {
        KernelCiApiKit.SeededJob job = seedJob();
        ObjectNode data = (ObjectNode) API.node(job.id()).get("data").deepCopy();
        data.put("job_id", "other-lab:0123456789abcdef");
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.set("data", data);
        API.patchAsAdmin(job.id(), patch);

        assertThat(client.claim(job.id(), marker())).isEqualTo(ClaimOutcome.CLAIMED_BY_OTHER);
        assertThat(API.node(job.id()).at("/data/job_id").asText()).isEqualTo("other-lab:0123456789abcdef");
    }

    @Test
    @DisplayName("a job of another runtime cannot be claimed with the lab's token: 401, an auth failure")
    void otherRuntimeRefused() {
        KernelCiApiKit.SeededJob other = API.seed("http://127.0.0.1:9/jobs/{platform}.json",
                List.of("baseline-x86:x86_64:it-" + UUID.randomUUID().toString().substring(0, 8)), Optional.of("other-runtime-" + UUID.randomUUID().toString().substring(0, 6))).stream()
                .filter(j -> !j.runtime().equals(API.runtime())).findFirst().orElseThrow();

        assertThatThrownBy(() -> client.claim(other.id(), marker())).isInstanceOfSatisfying(HttpCallException.class,
                e -> assertThat(e.isAuthFailure()).isTrue());
        assertThat(API.node(other.id()).at("/data/job_id").isMissingNode()).isTrue();
    }

    @Test
    @DisplayName("finish writes the result tree: the job done with its result, test and suite child nodes, one event")
    void finishWithResultTree() {
        KernelCiApiKit.SeededJob job = seedJob();
        client.claim(job.id(), marker());
        JobOutcome outcome = new JobOutcome(job.id(), NodeResult.FAIL, Optional.empty(), Optional.empty(),
                Map.of("test_log", "https://logs.example.org/run-1.log"), List.of(
                        NodeTestResult.leaf("boot", NodeResult.PASS),
                        NodeTestResult.suite("ltp", List.of(NodeTestResult.leaf("abort01", NodeResult.PASS),
                                NodeTestResult.leaf("fcntl36", NodeResult.FAIL)))));

        assertThat(client.finish(outcome)).isEqualTo(FinishOutcome.FINISHED);

        JsonNode stored = API.node(job.id());
        assertThat(stored.path("state").asText()).isEqualTo("done");
        assertThat(stored.path("result").asText()).isEqualTo("fail");
        assertThat(stored.at("/artifacts/test_log").asText()).isEqualTo("https://logs.example.org/run-1.log");
        assertThat(stored.at("/artifacts/job_definition").asText()).isEqualTo(job.jobDefinition());
        List<JsonNode> children = API.children(job.id());
        assertThat(children).extracting(c -> c.path("name").asText() + ":" + c.path("kind").asText() + ":"
                + c.path("result").asText()).containsExactlyInAnyOrder("boot:test:pass", "ltp:job:fail");
        JsonNode ltp = children.stream().filter(c -> c.path("name").asText().equals("ltp")).findFirst().orElseThrow();
        assertThat(API.children(ltp.path("id").asText())).extracting(c -> c.path("name").asText() + ":"
                + c.path("result").asText()).containsExactlyInAnyOrder("abort01:pass", "fcntl36:fail");
        assertThat(children).allSatisfy(c -> assertThat(c.at("/data/runtime").asText()).isEqualTo(API.runtime()));
        assertThat(API.events(job.id())).last().satisfies(event -> {
            assertThat(event.at("/data/state").asText()).isEqualTo("done");
            assertThat(event.at("/data/result").asText()).isEqualTo("fail");
            assertThat(event.at("/data/is_hierarchy").asBoolean()).isTrue();
        });
        assertThat(client.finish(outcome)).as("finishing again").isEqualTo(FinishOutcome.ALREADY_DONE);
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"INVALID_JOB_PARAMS", "JOB_GENERATION_ERROR", "INFRASTRUCTURE"})
    @DisplayName("a job that cannot run is finished incomplete with data.error_code and error_msg stored")
    void finishWithErrorCode(ErrorCode code) {
        KernelCiApiKit.SeededJob job = seedJob();

        assertThat(client.finish(JobOutcome.incomplete(job.id(), code, code.wireName() + ": a message naming it")))
                .isEqualTo(FinishOutcome.FINISHED);

        JsonNode stored = API.node(job.id());
        assertThat(stored.path("state").asText()).isEqualTo("done");
        assertThat(stored.path("result").asText()).isEqualTo("incomplete");
        assertThat(stored.at("/data/error_code").asText()).isEqualTo(code.wireName());
        assertThat(stored.at("/data/error_msg").asText()).isEqualTo(code.wireName() + ": a message naming it");
        assertThat(API.children(job.id())).isEmpty();
    }

    @Test
    @DisplayName("an unknown node id is GONE for claim and finish, as the API answers 200 null")
    void unknownNode() {
        String unknown = "0123456789abcdef01234567";
        assertThat(client.node(unknown)).isEmpty();
        assertThat(client.claim(unknown, marker())).isEqualTo(ClaimOutcome.GONE);
        assertThat(client.finish(JobOutcome.incomplete(unknown, ErrorCode.INFRASTRUCTURE, "x")))
                .isEqualTo(FinishOutcome.GONE);
    }

    @Test
    @DisplayName("whoami: the real API names the lab token's user, in its runtime's node-editor group and no other")
    void whoamiOfTheLabToken() {
        KernelCiUser user = client.whoami();

        assertThat(user.username()).isNotBlank();
        assertThat(user.superuser()).isFalse();
        assertThat(user.groups()).contains(KernelCiUser.editorGroup(API.runtime()));
        assertThat(user.mayEditNodesOf(API.runtime())).isTrue();
        assertThat(user.mayEditNodesOf(API.runtime() + "-other")).isFalse();
    }

    @Test
    @DisplayName("whoami with a token the real API refuses is a 401 (what validate reports as a refused token)")
    void whoamiOfAWrongToken() {
        KernelCiClient wrong = new KernelCiClient(API.baseUri(), Optional.of("not-a-kernelci-token"),
                new RetryingHttp("KernelCI API", new RetryPolicy(1, Duration.ofMillis(50), Duration.ofMillis(50),
                        Duration.ofSeconds(20))));

        assertThatThrownBy(wrong::whoami).isInstanceOfSatisfying(dev.pullab.core.http.HttpCallException.class,
                e -> assertThat(e.status()).hasValue(401));
    }
}
