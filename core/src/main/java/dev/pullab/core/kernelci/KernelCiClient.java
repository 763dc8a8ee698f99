package dev.pullab.core.kernelci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryingHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The KernelCI API ("Maestro") as a pull lab uses it: read job events and nodes, claim a job, finish it.
 *
 * <p>Reads are unauthenticated; writes send {@code Authorization: Bearer <token>} (the account needs group
 * {@code runtime:<runtime>:node-editor}). Retries follow {@link RetryingHttp}: 5xx, 429 and timeouts are retried
 * with capped exponential backoff and jitter, other 4xx are not. The token never appears in logs or messages.
 */
public final class KernelCiClient implements NodeLookup, KernelCiJobs {

    /** The API answers 400 for a recursive query above this limit. */
    public static final int MAX_RECURSIVE_LIMIT = 1000;

    /** The largest events page read: 1000 recursive events with their nodes fit well within it. */
    public static final int MAX_EVENTS_PAGE_BYTES = 16 << 20;
    /** The largest node read. */
    public static final int MAX_NODE_BYTES = 1 << 20;
    /** The largest answer to a write read (a finished hierarchy may come back with all its test nodes). */
    public static final int MAX_WRITE_ANSWER_BYTES = 16 << 20;

    private static final Pattern OBJECT_ID = Pattern.compile("^[0-9a-f]{24}$");
    /** Strict: a second JSON value after the answer (a spliced or corrupted body) is an error, not ignored. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final URI base;
    private final Optional<String> token;
    private final RetryingHttp http;

    /**
     * @param baseUri API root including its version prefix, e.g. {@code https://staging.kernelci.org:9000/latest}
     * @param token   bearer token; only writes need it
     */
    public KernelCiClient(URI baseUri, Optional<String> token, RetryingHttp http) {
        String text = Objects.requireNonNull(baseUri, "baseUri").toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.token = Objects.requireNonNull(token, "token").filter(t -> !t.isBlank());
        this.http = Objects.requireNonNull(http, "http");
    }

    /**
     * {@code GET /events?kind=job&state=available&recursive=true&limit=N[&from=<ts>]}: the next available job events
     * after {@code from} (strictly later), each with its node's current state.
     *
     * @param from  the verbatim timestamp of an earlier event, or empty for the oldest retained events
     * @param limit at most {@link #MAX_RECURSIVE_LIMIT}
     */
    @Override
    public EventPage availableJobEvents(Optional<EventTime> from, int limit) {
        if (limit < 1 || limit > MAX_RECURSIVE_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_RECURSIVE_LIMIT + ", got " + limit);
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("kind", "job");
        query.put("state", "available");
        query.put("recursive", "true");
        query.put("limit", Integer.toString(limit));
        from.ifPresent(f -> query.put("from", f.text()));
        JsonNode body = getJson("events?" + encode(query), MAX_EVENTS_PAGE_BYTES);
        if (!body.isArray()) {
            throw new HttpCallException("KernelCI API GET " + base + "events answered " + kindOf(body)
                    + " instead of an array of events", 0, null);
        }
        List<EventPage.Entry> entries = new ArrayList<>(body.size());
        body.forEach(element -> entries.add(EventParser.parse(element)));
        return new EventPage(entries, limit);
    }

    /**
     * {@code GET /whoami} with the token: the account it belongs to. A token the API does not accept is a
     * {@link HttpCallException} with status 401.
     */
    public KernelCiUser whoami() {
        token.orElseThrow(() -> new IllegalStateException(
                "KernelCI API GET whoami needs a token: set KERNELCI_API_TOKEN (or UNIFIED_TOKEN)"));
        JsonNode body = getJson("whoami", MAX_NODE_BYTES);
        if (body == null || !body.isObject()) {
            throw new HttpCallException("KernelCI API GET " + base + "whoami answered " + (body == null ? "nothing"
                    : kindOf(body)) + " instead of a user", 0, null);
        }
        return KernelCiUser.of(body);
    }

    /** {@code GET /node/{id}}; the API answers {@code 200 null} for an unknown id. */
    @Override
    public Optional<Node> node(String id) {
        requireObjectId(id);
        JsonNode body = getJson("node/" + id, MAX_NODE_BYTES);
        return body == null || body.isNull() || body.isMissingNode() ? Optional.empty() : Optional.of(Node.of(body));
    }

    /**
     * Claims a job for this lab: reads the node, writes {@code data.job_id = marker} with
     * {@code PATCH /node/{id}?noevent=true} (the node stays {@code available}: there is no
     * {@code available → running} edge; {@code data} is replaced whole, so the node's own {@code data} is sent back
     * with the marker added) and checks the outcome. Two requests when the API answers the PATCH with the node as
     * stored (kernelci-api does: {@code response_model=Node}): that answer is the node right after our write, so it
     * shows what a read-back would. Only an answer that does not show our marker on an available node (no body,
     * another marker, another state) is checked with a third request, a read-back.
     * The API has no compare-and-set: two labs writing at the same moment can both succeed, and no read, at once
     * or later, can rule out a write that lands after it; pollers of one runtime should be split by platform
     * ({@code KERNELCI_PLATFORMS}).
     * Claiming a node that already carries {@code marker} changes nothing and answers {@link ClaimOutcome#CLAIMED}.
     */
    @Override
    public ClaimOutcome claim(String nodeId, String marker) {
        Optional<Node> current = node(nodeId);
        if (current.isEmpty()) {
            return ClaimOutcome.GONE;
        }
        Optional<ClaimOutcome> settled = settledClaim(current.get(), marker);
        if (settled.isPresent()) {
            return settled.get();
        }
        ObjectNode data = current.get().data();
        data.put("job_id", marker);
        ObjectNode patch = JSON.createObjectNode();
        patch.set("data", data);
        JsonNode answer = write("PATCH", "node/" + nodeId + "?noevent=true", patch);
        if (showsClaim(answer, nodeId, marker)) {
            return ClaimOutcome.CLAIMED;
        }
        return node(nodeId).map(n -> settledClaim(n, marker).orElse(ClaimOutcome.CLAIMED_BY_OTHER))
                .orElse(ClaimOutcome.GONE);
    }

    /** The PATCH answer is this node, still available, carrying exactly our marker. */
    private static boolean showsClaim(JsonNode answer, String nodeId, String marker) {
        return answer != null && answer.isObject()
                && nodeId.equals(answer.path("id").asText(null))
                && "available".equals(answer.path("state").asText(null))
                && marker.equals(answer.path("data").path("job_id").asText(null));
    }

    private static Optional<ClaimOutcome> settledClaim(Node node, String marker) {
        if (!"available".equals(node.state())) {
            return Optional.of(ClaimOutcome.NOT_AVAILABLE);
        }
        return node.jobId().map(owner -> owner.equals(marker) ? ClaimOutcome.CLAIMED : ClaimOutcome.CLAIMED_BY_OTHER);
    }

    /**
     * Finishes a job node with one {@code PUT /nodes/{id}} hierarchy (what kernelci-core's {@code submit_results}
     * does): the node as read, with {@code state: done}, the result, {@code data.error_code}/{@code error_msg},
     * the artifacts merged, {@code processed_by_kcidb_bridge: false}, and the test results as child nodes. A node
     * already {@code done} is left alone, so a retry never overwrites a result.
     */
    public FinishOutcome finish(JobOutcome outcome) {
        Optional<Node> current = node(outcome.nodeId());
        if (current.isEmpty()) {
            return FinishOutcome.GONE;
        }
        if ("done".equals(current.get().state())) {
            return FinishOutcome.ALREADY_DONE;
        }
        write("PUT", "nodes/" + outcome.nodeId(), JobHierarchy.of(current.get(), outcome));
        return FinishOutcome.FINISHED;
    }

    private JsonNode getJson(String path, int maxBytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET()
                .header("Accept", "application/json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return parse(http.send(request, maxBytes).body(), "GET " + path);
    }

    private JsonNode write(String method, String path, JsonNode body) {
        String bearer = token.orElseThrow(() -> new IllegalStateException(
                "KernelCI API " + method + " " + path + " needs a token: set KERNELCI_API_TOKEN (or UNIFIED_TOKEN)"));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + bearer);
        return parse(http.send(request, MAX_WRITE_ANSWER_BYTES).body(), method + " " + path);
    }

    private JsonNode parse(String body, String what) {
        try {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HttpCallException("KernelCI API " + what + " answered something that is not JSON: "
                    + e.getOriginalMessage(), 0, e);
        }
    }

    private static void requireObjectId(String id) {
        if (id == null || !OBJECT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a KernelCI node id (24 hex digits): '" + id + "'");
        }
    }

    private static String encode(Map<String, String> query) {
        return query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String kindOf(JsonNode body) {
        return body instanceof ArrayNode ? "an array" : body.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
