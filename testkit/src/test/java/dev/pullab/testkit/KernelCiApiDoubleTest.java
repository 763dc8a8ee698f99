package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.testkit.KernelCiApiDouble.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exercises {@link KernelCiApiDouble} over real HTTP with the JDK client. */
class KernelCiApiDoubleTest {

    private static final String TOKEN = "lab-token";
    private static final String JOB_ID = "6825f9c0b4e0b1c9d2a7e0a1";
    private static final String UNKNOWN_ID = "0123456789abcdef01234567";
    private static final String T1 = "2026-05-20T10:15:29.902000";
    private static final String T2 = "2026-05-20T10:15:30.431000";
    private static final String T3 = "2026-05-20T10:15:31.007000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private KernelCiApiDouble api;

    @BeforeEach
    void startDouble() {
        api = KernelCiApiDouble.start(TOKEN);
    }

    @AfterEach
    void stopDouble() {
        api.close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // base URI, versioning, GET /node

    @Test
    @DisplayName("baseUri is http://127.0.0.1:<port>/latest")
    void baseUriIsLatestOnLoopback() {
        assertThat(api.baseUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/latest");
    }

    @Test
    @DisplayName("routes answer under /latest, /v0 and without a version prefix")
    void routesAnswerWithAndWithoutVersionPrefix() throws Exception {
        api.putNode(jobNode("available"));
        String root = "http://127.0.0.1:" + api.baseUri().getPort();

        for (String prefix : List.of("/latest", "/v0", "")) {
            HttpResponse<String> response = send("GET", URI.create(root + prefix + "/node/" + JOB_ID), null, null);
            assertThat(response.statusCode()).as(prefix).isEqualTo(200);
            assertThat(json(response).get("id").asText()).isEqualTo(JOB_ID);
        }
    }

    @Test
    @DisplayName("an unknown /vN prefix is 400 Unsupported API version")
    void unknownVersionPrefixIs400() throws Exception {
        HttpResponse<String> response = send("GET",
                URI.create("http://127.0.0.1:" + api.baseUri().getPort() + "/v7/events"), null, null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).isEqualTo("Unsupported API version");
    }

    @Test
    @DisplayName("GET /node/{id} answers the stored node")
    void getNodeAnswersStoredNode() throws Exception {
        ObjectNode node = jobNode("available");
        api.putNode(node);

        HttpResponse<String> response = get("/node/" + JOB_ID);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(node);
    }

    @Test
    @DisplayName("GET /node/{id} of an unknown well-formed id is 200 with body null")
    void getUnknownNodeIsNull() throws Exception {
        HttpResponse<String> response = get("/node/" + UNKNOWN_ID);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("null");
    }

    @Test
    @DisplayName("GET /node/{id} of a malformed id is 400")
    void getMalformedNodeIdIs400() throws Exception {
        HttpResponse<String> response = get("/node/not-an-object-id");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).contains("is not a valid ObjectId");
    }

    @Test
    @DisplayName("an unknown route is 404")
    void unknownRouteIs404() throws Exception {
        HttpResponse<String> response = get("/no/such/route");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(detail(response)).isEqualTo("Not Found");
    }

    @Test
    @DisplayName("a wrong method on a known route is 405")
    void wrongMethodIs405() throws Exception {
        HttpResponse<String> response = send("DELETE", "/node/" + JOB_ID, null, TOKEN);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(send("POST", "/events", "{}", TOKEN).statusCode()).isEqualTo(405);
    }

    // ------------------------------------------------------------------------------------------------------------
    // GET /events

    @Test
    @DisplayName("events: an event at exactly 'from' is not returned (strictly greater)")
    void fromIsStrictlyGreater() throws Exception {
        ObjectNode node = jobNode("running");
        api.addJob(node, T1);
        api.publish(JOB_ID, "updated", T2);
        api.publish(JOB_ID, "updated", T3);

        ArrayNode events = events("from=" + encode(T2));

        assertThat(timestamps(events)).containsExactly(T3);
    }

    @Test
    @DisplayName("events: 'from' without fraction or with milliseconds is parsed as a naive datetime")
    void fromAcceptsNaiveFormsWithoutOrWithMillisecondFraction() throws Exception {
        api.addJob(jobNode("running"), T1);
        api.publish(JOB_ID, "updated", T2);

        assertThat(timestamps(events("from=" + encode("2026-05-20T10:15:30.431")))).isEmpty();
        assertThat(timestamps(events("from=" + encode("2026-05-20T10:15:30")))).containsExactly(T2);
        assertThat(timestamps(events("from=" + encode("2026-05-20")))).containsExactly(T1, T2);
    }

    @ParameterizedTest(name = "from={0}")
    @ValueSource(strings = {"2026-05-20T10:15:30.431000Z", "2026-05-20T10:15:30+00:00", "1747736130",
        "2026-05-20T10:15:30.4310", "2026-13-20T10:15:30", "yesterday"})
    @DisplayName("events: a 'from' Python 3.10 fromisoformat would not take as naive is 400")
    void fromRejectsZuluOffsetsAndEpoch(String from) throws Exception {
        HttpResponse<String> response = get("/events?from=" + encode(from));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).isEqualTo("Invalid 'from' parameter, must be an ISO 8601 datetime");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"recursive=true", "recursive=true&limit=1001", "recursive=true&limit="})
    @DisplayName("events: recursive without limit or with limit > 1000 is 400")
    void recursiveNeedsLimitUpTo1000(String query) throws Exception {
        HttpResponse<String> response = get("/events?" + query);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).isEqualTo("Recursive limit is too large, max is 1000");
    }

    @Test
    @DisplayName("events: recursive=false is still recursive (any non-empty value is truthy)")
    void recursiveFalseIsStillRecursive() throws Exception {
        api.addJob(jobNode("available"), T1);

        ArrayNode events = events("recursive=false&limit=1000");

        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("node").get("id").asText()).isEqualTo(JOB_ID);
        assertThat(events("limit=1000").get(0).has("node")).isFalse();
    }

    @Test
    @DisplayName("events: the recursive node is the node's current state, not its state at event time")
    void recursiveNodeIsCurrentStateAfterPatch() throws Exception {
        api.addJob(jobNode("available"), T1);
        assertThat(patch(JOB_ID, "{\"state\":\"done\",\"result\":\"pass\"}").statusCode()).isEqualTo(200);

        JsonNode created = events("recursive=true&limit=10&op=created").get(0);

        assertThat(created.get("data").get("state").asText()).isEqualTo("available");
        assertThat(created.get("node").get("state").asText()).isEqualTo("done");
        assertThat(created.get("node").get("result").asText()).isEqualTo("pass");
    }

    @Test
    @DisplayName("events: recursive omits 'node' when the node does not exist")
    void recursiveOmitsMissingNode() throws Exception {
        ObjectNode raw = JSON.createObjectNode().put("timestamp", T1).put("sequence_id", 1).put("channel", "node");
        raw.putObject("data").put("op", "created").put("id", UNKNOWN_ID).put("kind", "job");
        raw.put("id", "aaaaaaaaaaaaaaaaaaaaaaaa");
        api.publishRaw(raw);

        ArrayNode events = events("recursive=1&limit=5");

        assertThat(events).hasSize(1);
        assertThat(events.get(0).has("node")).isFalse();
    }

    @Test
    @DisplayName("events: publishRaw documents are answered verbatim")
    void publishRawIsAnsweredVerbatim() throws Exception {
        ObjectNode raw = JSON.createObjectNode().put("timestamp", "not a date").put("unexpected", true);
        api.publishRaw(raw);

        assertThat(events("")).containsExactly(raw);
        assertThat(events("from=" + encode(T1))).isEmpty();
    }

    @Test
    @DisplayName("events: without limit all events come back, in insertion order (no sort)")
    void noLimitReturnsAllInInsertionOrder() throws Exception {
        api.addJob(jobNode("running"), T3);
        api.publish(JOB_ID, "updated", T1);
        api.publish(JOB_ID, "updated", T2);

        assertThat(timestamps(events(""))).containsExactly(T3, T1, T2);
    }

    @Test
    @DisplayName("events: limit and offset page through the matching events")
    void limitAndOffset() throws Exception {
        api.addJob(jobNode("running"), T1);
        api.publish(JOB_ID, "updated", T2);
        api.publish(JOB_ID, "updated", T3);

        assertThat(timestamps(events("limit=2"))).containsExactly(T1, T2);
        assertThat(timestamps(events("limit=2&offset=2"))).containsExactly(T3);
        assertThat(timestamps(events("offset=1"))).containsExactly(T2, T3);
    }

    @Test
    @DisplayName("events: an unknown parameter is an equality filter on the event's dotted path")
    void equalityFilterOnDataDataRuntime() throws Exception {
        api.addJob(jobNode("available"), T1);
        ObjectNode other = jobNode("available").put("id", UNKNOWN_ID);
        ((ObjectNode) other.get("data")).put("runtime", "lava-collabora");
        api.addJob(other, T2);

        ArrayNode demo = events("data.data.runtime=pull-labs-demo");
        ArrayNode lava = events("data.data.runtime=lava-collabora");

        assertThat(demo).extracting(e -> e.get("data").get("id").asText()).containsExactly(JOB_ID);
        assertThat(lava).extracting(e -> e.get("data").get("id").asText()).containsExactly(UNKNOWN_ID);
        assertThat(events("data.data.runtime=nobody")).isEmpty();
    }

    @Test
    @DisplayName("events: 'true'/'false' filter values are booleans, numbers stay strings")
    void booleanFilterValuesAreConverted() throws Exception {
        api.addJob(jobNode("available"), T1);

        assertThat(events("data.is_hierarchy=false")).hasSize(1);
        assertThat(events("data.is_hierarchy=true")).isEmpty();
        assertThat(events("sequence_id=1")).isEmpty();
    }

    @Test
    @DisplayName("events: kind, state and node_id filter on the event-time data")
    void kindStateAndNodeIdFilterEventTimeData() throws Exception {
        ObjectNode node = jobNode("running");
        api.addJob(node, T1);
        node.put("state", "available");
        api.putNode(node);
        api.publish(JOB_ID, "updated", T2);

        ArrayNode available = events("kind=job&state=available&node_id=" + JOB_ID);

        assertThat(timestamps(available)).containsExactly(T2);
        assertThat(available.get(0).get("data").get("previous_state").asText()).isEqualTo("running");
        assertThat(events("kind=kbuild")).isEmpty();
        assertThat(timestamps(events("state=running"))).containsExactly(T1);
    }

    @Test
    @DisplayName("events: a published event has the same fields as the fixture's events")
    void publishedEventHasFixtureShape() throws Exception {
        JsonNode fixture = fixtureJson("events_pull_labs_job_recursive.json");
        ObjectNode node = jobNode("running");
        api.addJob(node, T1);
        node.put("state", "available");
        api.putNode(node);
        api.publish(JOB_ID, "updated", T2);

        ArrayNode events = events("recursive=true&limit=2");

        for (int i = 0; i < 2; i++) {
            assertThat(fieldNames(events.get(i))).isEqualTo(fieldNames(fixture.get(i)));
            assertThat(fieldNames(events.get(i).get("data"))).isEqualTo(fieldNames(fixture.get(i).get("data")));
            assertThat(events.get(i).get("data").get("id").asText()).isEqualTo(JOB_ID);
            assertThat(events.get(i).get("id").asText()).matches("[0-9a-f]{24}");
        }
        assertThat(events.get(1).get("sequence_id").asLong()).isGreaterThan(events.get(0).get("sequence_id").asLong());
        assertThat(events.get(0).get("data").get("data")).isEqualTo(fixture.get(0).get("data").get("data"));
    }

    // ------------------------------------------------------------------------------------------------------------
    // PATCH /node/{id}

    @Test
    @DisplayName("PATCH without an Authorization header is 401 and is recorded as such")
    void patchWithoutTokenIs401() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = send("PATCH", "/node/" + JOB_ID, "{\"state\":\"done\"}", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(detail(response)).isEqualTo("Unauthorized");
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("available");
        RecordedRequest request = api.requests().get(0);
        assertThat(request.authorizationPresent()).isFalse();
        assertThat(request.authorizationValid()).isFalse();
    }

    @Test
    @DisplayName("PATCH with a wrong Bearer token is 401")
    void patchWithWrongTokenIs401() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = send("PATCH", "/node/" + JOB_ID, "{\"state\":\"done\"}", "other-token");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(api.requests().get(0).authorizationPresent()).isTrue();
        assertThat(api.requests().get(0).authorizationValid()).isFalse();
        assertThat(api.events()).isEmpty();
    }

    @Test
    @DisplayName("PATCH done -> available is 400 Transition not allowed")
    void patchForbiddenTransitionIs400() throws Exception {
        api.putNode(jobNode("done"));

        HttpResponse<String> response = patch(JOB_ID, "{\"state\":\"available\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).isEqualTo("Transition not allowed with state: available");
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("done");
    }

    @Test
    @DisplayName("PATCH to the same state is allowed (available -> available)")
    void patchSameStateIsAllowed() throws Exception {
        api.putNode(jobNode("available"));

        assertThat(patch(JOB_ID, "{\"state\":\"available\"}").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("PATCH data replaces the whole data dict (no merge)")
    void patchReplacesDataWholesale() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = patch(JOB_ID, "{\"data\":{\"job_id\":\"pull-labs-demo:abc\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode stored = api.node(JOB_ID).orElseThrow();
        assertThat(stored.get("data")).isEqualTo(JSON.createObjectNode().put("job_id", "pull-labs-demo:abc"));
        assertThat(json(response)).isEqualTo(stored);
        assertThat(stored.get("artifacts").has("job_definition")).isTrue();
    }

    @Test
    @DisplayName("PATCH with the fixture request finishes the job and publishes one 'updated' event")
    void patchPublishesUpdatedEvent() throws Exception {
        api.putNode(jobNode("available"));
        api.setClock(sequence("2026-05-20T11:00:00.000000", "2026-05-20T11:00:00.001000"));

        HttpResponse<String> response = patch(JOB_ID, fixture("node_patch_done_request.json").toString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode node = json(response);
        assertThat(node.get("state").asText()).isEqualTo("done");
        assertThat(node.get("result").asText()).isEqualTo("pass");
        assertThat(node.get("updated").asText()).isEqualTo("2026-05-20T11:00:00.000000");
        assertThat(node.get("processed_by_kcidb_bridge").asBoolean()).isFalse();
        ArrayNode events = events("");
        assertThat(events).hasSize(1);
        JsonNode data = events.get(0).get("data");
        assertThat(events.get(0).get("timestamp").asText()).isEqualTo("2026-05-20T11:00:00.001000");
        assertThat(data.get("op").asText()).isEqualTo("updated");
        assertThat(data.get("state").asText()).isEqualTo("done");
        assertThat(data.get("previous_state").asText()).isEqualTo("available");
        assertThat(data.get("previous_result").isNull()).isTrue();
        assertThat(data.get("is_hierarchy").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("a PUT /nodes sent with Upgrade: h2c loses its body, as under uvicorn's httptools: 422 body Field required")
    void h2cUpgradeLosesTheBody() throws Exception {
        api.putNode(jobNode("available"));
        HttpClient defaultVersion = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> response = defaultVersion.send(HttpRequest.newBuilder(uri("/nodes/" + JOB_ID))
                .PUT(BodyPublishers.ofString("{\"node\": {}, \"child_nodes\": []}"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN).build(),
                BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("Field required").contains("body");
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("available");
    }

    @Test
    @DisplayName("PATCH ?noevent=true changes the node but publishes nothing")
    void patchNoEventSuppressesEvent() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = send("PATCH", "/node/" + JOB_ID + "?noevent=true",
                "{\"data\":{\"runtime\":\"pull-labs-demo\",\"job_id\":\"x\"}}", TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(api.node(JOB_ID).orElseThrow().get("data").get("job_id").asText()).isEqualTo("x");
        assertThat(api.events()).isEmpty();
    }

    @Test
    @DisplayName("PATCH with an empty body is 400 No fields to update")
    void patchEmptyBodyIs400() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = patch(JOB_ID, "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).isEqualTo("No fields to update");
    }

    @Test
    @DisplayName("PATCH of an unknown node is 404")
    void patchUnknownNodeIs404() throws Exception {
        HttpResponse<String> response = patch(UNKNOWN_ID, "{\"state\":\"done\"}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(detail(response)).isEqualTo("Node not found with id: " + UNKNOWN_ID);
    }

    @Test
    @DisplayName("PATCH with a field outside NodePatchRequest is 422")
    void patchUnknownFieldIs422() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = patch(JOB_ID, "{\"status\":\"done\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).get("detail").get(0).get("loc").toString()).isEqualTo("[\"body\",\"status\"]");
    }

    @Test
    @DisplayName("PATCH with a data.error_code outside ErrorCodes is 400")
    void patchBadErrorCodeIs400() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = patch(JOB_ID,
                "{\"state\":\"done\",\"result\":\"incomplete\",\"data\":{\"error_code\":\"lab_exploded\"}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).contains("data.error_code").contains("'Infrastructure'");
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("available");
    }

    @Test
    @DisplayName("PATCH with a known data.error_code wire name is accepted")
    void patchKnownErrorCodeIsAccepted() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = patch(JOB_ID,
                "{\"state\":\"done\",\"result\":\"incomplete\",\"data\":{\"error_code\":\"Infrastructure\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("the default clock gives increasing naive timestamps")
    void defaultClockIsIncreasingAndNaive() throws Exception {
        api.putNode(jobNode("available"));

        patch(JOB_ID, "{\"data\":{\"job_id\":\"a\"}}");
        patch(JOB_ID, "{\"data\":{\"job_id\":\"b\"}}");

        List<String> timestamps = timestamps(events(""));
        assertThat(timestamps).hasSize(2).allMatch(t -> t.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?"));
        assertThat(timestamps.get(1)).isGreaterThan(timestamps.get(0));
        assertThat(timestamps(events("from=" + encode(timestamps.get(0))))).containsExactly(timestamps.get(1));
    }

    // ------------------------------------------------------------------------------------------------------------
    // PUT /node/{id}, PUT /nodes/{id}

    @Test
    @DisplayName("PUT /node keeps owner, checks the transition and publishes an update (the PULLAB claim)")
    void putNodeClaimKeepsStateAndOwner() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode claim = jobNode("available");
        ((ObjectNode) claim.get("data")).put("job_id", "pull-labs-demo:1234");
        claim.put("owner", "someone-else");

        HttpResponse<String> response = send("PUT", "/node/" + JOB_ID, claim.toString(), TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode stored = api.node(JOB_ID).orElseThrow();
        assertThat(stored.get("data").get("job_id").asText()).isEqualTo("pull-labs-demo:1234");
        assertThat(stored.get("owner").asText()).isEqualTo("production");
        JsonNode event = events("state=available").get(0).get("data");
        assertThat(event.get("previous_state").asText()).isEqualTo("available");
        claim.remove("state");
        assertThat(send("PUT", "/node/" + JOB_ID, claim.toString(), TOKEN).statusCode())
                .as("an omitted state defaults to running: available -> running is refused").isEqualTo(400);
    }

    @Test
    @DisplayName("PUT /nodes stores the hierarchy: new child ids, parent ids, one is_hierarchy event")
    void putHierarchyCreatesChildrenAndOneEvent() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode request = fixture("nodes_put_hierarchy_results_request.json");
        ((ObjectNode) request.get("node")).put("id", UNKNOWN_ID);

        HttpResponse<String> response = send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode written = json(response);
        assertThat(written).hasSize(3);
        assertThat(written.get(0).get("id").asText()).isEqualTo(JOB_ID);
        assertThat(written.get(0).get("state").asText()).isEqualTo("done");
        assertThat(written.get(0).get("result").asText()).isEqualTo("fail");
        for (JsonNode child : List.of(written.get(1), written.get(2))) {
            String id = child.get("id").asText();
            assertThat(id).matches("[0-9a-f]{24}").isNotEqualTo(JOB_ID);
            assertThat(child.get("parent").asText()).isEqualTo(JOB_ID);
            assertThat(child.get("submitter").asText()).isEqualTo("service:pipeline");
            assertThat(api.node(id)).contains((ObjectNode) child);
        }
        assertThat(written).extracting(n -> n.get("name").asText())
                .containsExactly("baseline-x86-pull-labs-demo", "login", "kernelmsg");
        ArrayNode events = events("");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("data").get("id").asText()).isEqualTo(JOB_ID);
        assertThat(events.get(0).get("data").get("is_hierarchy").asBoolean()).isTrue();
        assertThat(events.get(0).get("data").get("previous_state").asText()).isEqualTo("available");
    }

    @Test
    @DisplayName("PUT /nodes nests grandchildren under their own parent")
    void putHierarchyNestsGrandchildren() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode request = JSON.createObjectNode();
        request.set("node", jobNode("done").put("result", "pass"));
        ObjectNode suite = request.putArray("child_nodes").addObject();
        suite.putObject("node").put("kind", "job").put("name", "suite").putArray("path").add("suite");
        ObjectNode leaf = suite.putArray("child_nodes").addObject();
        leaf.putObject("node").put("kind", "test").put("name", "case").put("state", "done").put("result", "pass")
                .putArray("path").add("suite").add("case");
        leaf.putArray("child_nodes");

        JsonNode written = json(send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN));

        assertThat(written).hasSize(3);
        assertThat(written.get(1).get("parent").asText()).isEqualTo(JOB_ID);
        assertThat(written.get(2).get("parent").asText()).isEqualTo(written.get(1).get("id").asText());
        assertThat(written.get(1).get("state").asText()).as("model default").isEqualTo("running");
        assertThat(written.get(1).get("owner").asText()).isEqualTo(KernelCiApiDouble.DEFAULT_USERNAME);
    }

    @Test
    @DisplayName("PUT /nodes replaces the root without a state-transition check")
    void putHierarchySkipsTransitionCheck() throws Exception {
        api.putNode(jobNode("done"));
        ObjectNode request = JSON.createObjectNode();
        request.set("node", jobNode("running"));
        request.putArray("child_nodes");

        HttpResponse<String> response = send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("running");
    }

    @Test
    @DisplayName("PUT /nodes with a bad data.error_code on a child is 400 and writes nothing")
    void putHierarchyBadErrorCodeIs400() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode request = fixture("nodes_put_hierarchy_results_request.json");
        ((ObjectNode) request.get("child_nodes").get(1).get("node").get("data")).put("error_code", "kaboom");

        HttpResponse<String> response = send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).contains("data.error_code");
        assertThat(api.nodes()).hasSize(1);
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("available");
        assertThat(api.events()).isEmpty();
    }

    @Test
    @DisplayName("PUT /nodes drops data keys TestData does not declare from job/test nodes")
    void putHierarchyDropsUndeclaredTestDataKeys() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode request = fixture("nodes_put_hierarchy_results_request.json");
        ((ObjectNode) request.get("node").get("data")).put("lab_private", "gone");
        ((ObjectNode) request.get("node").get("data")).putObject("misc").put("lab_private", "kept");

        send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN);

        JsonNode data = api.node(JOB_ID).orElseThrow().get("data");
        assertThat(data.has("lab_private")).isFalse();
        assertThat(data.get("misc").get("lab_private").asText()).isEqualTo("kept");
        assertThat(data.get("job_id").asText()).isEqualTo("0001");
    }

    @Test
    @DisplayName("PUT /nodes without a token is 401")
    void putHierarchyWithoutTokenIs401() throws Exception {
        api.putNode(jobNode("available"));

        HttpResponse<String> response = send("PUT", "/nodes/" + JOB_ID,
                fixture("nodes_put_hierarchy_results_request.json").toString(), null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(api.nodes()).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Recording and fault injection

    @Test
    @DisplayName("requests() records method, path, query, authorization and body; clearRequests() empties it")
    void requestsAreRecorded() throws Exception {
        api.putNode(jobNode("available"));

        get("/events?kind=job&limit=5");
        patch(JOB_ID, "{\"state\":\"done\"}");

        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).method()).isEqualTo("GET");
        assertThat(requests.get(0).path()).isEqualTo("/latest/events");
        assertThat(requests.get(0).route()).isEqualTo("/events");
        assertThat(requests.get(0).query()).isEqualTo("kind=job&limit=5");
        assertThat(requests.get(0).queryParameters()).containsEntry("kind", "job").containsEntry("limit", "5");
        assertThat(requests.get(0).authorizationPresent()).isFalse();
        assertThat(requests.get(1).method()).isEqualTo("PATCH");
        assertThat(requests.get(1).route()).isEqualTo("/node/" + JOB_ID);
        assertThat(requests.get(1).authorizationValid()).isTrue();
        assertThat(requests.get(1).bodyJson().get("state").asText()).isEqualTo("done");
        api.clearRequests();
        assertThat(api.requests()).isEmpty();
    }

    @Test
    @DisplayName("failNext answers the next N requests with the status and changes nothing")
    void failNextInjectsFailures() throws Exception {
        api.putNode(jobNode("available"));
        api.failNext(2, 503);

        HttpResponse<String> first = patch(JOB_ID, "{\"state\":\"done\"}");
        HttpResponse<String> second = get("/events");
        HttpResponse<String> third = patch(JOB_ID, "{\"state\":\"closing\"}");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(detail(first)).isEqualTo("injected failure");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("closing");
        assertThat(api.events()).hasSize(1);
        assertThat(api.requests()).hasSize(3);
    }

    @Test
    @DisplayName("requests() marks the requests an injected fault answered, and only those")
    void requestsMarkInjectedFaults() throws Exception {
        api.putNode(jobNode("available"));
        api.failNext(1, 500);

        get("/events");
        get("/events");

        assertThat(api.requests()).extracting(RecordedRequest::injectedFault).containsExactly(true, false);
    }

    @Test
    @DisplayName("stale reads of finished nodes: GET /node answers a done node as it was before it was finished")
    void staleReadsAnswerFinishedNodesAsBefore() throws Exception {
        api.putNode(jobNode("available"));
        ObjectNode request = JSON.createObjectNode();
        request.set("node", jobNode("done").put("result", "pass"));
        request.putArray("child_nodes");
        send("PUT", "/nodes/" + JOB_ID, request.toString(), TOKEN);

        api.staleReadsOfFinishedNodes(true);
        String stale = json(get("/node/" + JOB_ID)).get("state").asText();
        api.staleReadsOfFinishedNodes(false);
        String current = json(get("/node/" + JOB_ID)).get("state").asText();

        assertThat(stale).isEqualTo("available");
        assertThat(current).isEqualTo("done");
        assertThat(api.node(JOB_ID).orElseThrow().get("state").asText()).isEqualTo("done");
    }

    @Test
    @DisplayName("delayNext makes a client with a short timeout time out; later requests are prompt")
    void delayNextMakesClientsTimeOut() throws Exception {
        api.delayNext(1, Duration.ofSeconds(3));
        HttpRequest slow = HttpRequest.newBuilder(uri("/events")).timeout(Duration.ofMillis(300)).GET().build();

        assertThatThrownBy(() -> HTTP.send(slow, BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);

        long start = System.nanoTime();
        assertThat(get("/events").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("concurrent requests are all served and every write is kept")
    void concurrentRequestsAreServed() throws Exception {
        api.putNode(jobNode("available"));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpRequest write = HttpRequest.newBuilder(uri("/node/" + JOB_ID))
                    .header("Authorization", "Bearer " + TOKEN)
                    .method("PATCH", BodyPublishers.ofString("{\"data\":{\"job_id\":\"" + i + "\"}}")).build();
            responses.add(HTTP.sendAsync(write, BodyHandlers.ofString()));
            responses.add(HTTP.sendAsync(HttpRequest.newBuilder(uri("/events")).build(), BodyHandlers.ofString()));
        }

        for (var response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        assertThat(api.events()).hasSize(20);
        assertThat(api.events()).extracting(e -> e.get("sequence_id").asLong()).isSorted().doesNotHaveDuplicates();
        assertThat(api.requests()).hasSize(40);
    }

    @Test
    @DisplayName("publish rejects an unknown node and a non-naive timestamp")
    void publishValidatesItsArguments() {
        assertThatThrownBy(() -> api.publish(UNKNOWN_ID, "created", T1)).isInstanceOf(IllegalArgumentException.class);
        api.putNode(jobNode("available"));
        assertThatThrownBy(() -> api.publish(JOB_ID, "created", "2026-05-20T10:15:30Z"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private static ObjectNode fixture(String name) {
        return (ObjectNode) fixtureJson(name);
    }

    private static JsonNode fixtureJson(String name) {
        try (InputStream in = KernelCiApiDoubleTest.class.getResourceAsStream("/kernelci/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /kernelci/" + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture job node in the given state. */
    private static ObjectNode jobNode(String state) {
        return fixture("node_pull_labs_job_available.json").put("state", state);
    }

    private URI uri(String pathAndQuery) {
        return URI.create(api.baseUri() + pathAndQuery);
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, null, null);
    }

    private HttpResponse<String> patch(String nodeId, String body) throws IOException, InterruptedException {
        return send("PATCH", "/node/" + nodeId, body, TOKEN);
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, String token)
            throws IOException, InterruptedException {
        return send(method, uri(pathAndQuery), body, token);
    }

    private static HttpResponse<String> send(String method, URI uri, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(builder.build(), BodyHandlers.ofString());
    }

    private ArrayNode events(String query) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/events" + (query.isEmpty() ? "" : "?" + query));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode json = json(response);
        assertThat(json.isArray()).isTrue();
        return (ArrayNode) json;
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String detail(HttpResponse<String> response) throws IOException {
        return json(response).get("detail").asText();
    }

    private static List<String> timestamps(ArrayNode events) {
        List<String> timestamps = new ArrayList<>();
        events.forEach(e -> timestamps.add(e.get("timestamp").asText()));
        return timestamps;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.properties().forEach(field -> names.add(field.getKey()));
        return names;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Supplier<String> sequence(String... timestamps) {
        AtomicInteger next = new AtomicInteger();
        return () -> timestamps[Math.min(next.getAndIncrement(), timestamps.length - 1)];
    }
}
