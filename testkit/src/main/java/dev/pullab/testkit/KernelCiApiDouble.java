package dev.pullab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * An in-process stand-in for kernelci-api ("Maestro") that speaks real HTTP (JDK {@link HttpServer} on
 * {@code 127.0.0.1}, a free port, its own small executor), covering what a pull lab uses: {@code GET /events},
 * {@code GET /node/{id}}, {@code PATCH /node/{id}}, {@code PUT /node/{id}} and {@code PUT /nodes/{id}}. Behaviour
 * follows {@code shared/reference/kernelci-protocols.md} section A and the upstream code it quotes (kernelci-api
 * {@code api/main.py}, {@code api/db.py}; kernelci-core {@code kernelci/api/models.py}).
 *
 * <p>Tests drive time: event timestamps are strings in the API's naive UTC format
 * {@code YYYY-MM-DDTHH:MM:SS.ffffff}, kept verbatim. Timestamps the double makes itself (PATCH/PUT events,
 * {@code updated}, defaults) come from {@link #setClock(Supplier)}; the default clock yields strictly increasing
 * millisecond-resolution UTC times formatted like Python's {@code datetime.isoformat()} (six fraction digits, the
 * fraction omitted when zero, exactly as the API does).
 *
 * <p>Thread-safe: the store, the request log and the fault queue are guarded; every node or event handed out is a
 * deep copy.
 *
 * <p>Deliberate simplifications and strictness (a client that passes here also passes against the API):
 * <ul>
 *   <li>any request carrying {@code Authorization: Bearer <token>} may edit any node (no per-node permission
 *       model; an absent or wrong token is 401 {@code {"detail":"Unauthorized"}});</li>
 *   <li>{@code from} accepts only Python-3.10 {@code fromisoformat} naive forms; offsets (which 3.10 would take) are
 *       rejected too, so clients stay on the safe format (send back the API's own timestamp string);</li>
 *   <li>unknown fields in PATCH/PUT bodies are 422 (upstream models forbid extra node fields);</li>
 *   <li>{@code PUT /nodes} validates the whole hierarchy before writing anything (upstream can leave a partial
 *       write behind on a bad child); {@code data} keys not declared in kernelci-core {@code TestData} are dropped
 *       from {@code job}/{@code test} nodes, as upstream does;</li>
 *   <li>event {@code owner} is the node's owner (or {@code production}), not the publishing user.</li>
 * </ul>
 */
public final class KernelCiApiDouble implements AutoCloseable {

    /**
     * kernelci-core's {@code ErrorCodes} wire names ({@code kernelci/api/models.py}), in its order: the only
     * {@code data.error_code} values the API accepts. The double keeps its own list, as the API does; a core test
     * pins that pullab's {@code ErrorCode} names the same ones.
     */
    public static final List<String> ERROR_CODES = List.of("invalid_job_params", "submit_error", "node_timeout",
            "Infrastructure", "Canceled", "Job", "Bug", "Test", "Configuration", "LAVATimeout", "MultinodeTimeout",
            "ObjectNotPersisted", "Unexisting permission codename.", "job_generation_error", "kbuild_internal_error");

    /** Owner given by {@code PUT /nodes} to new nodes that name none, when {@link #start(String)} is used. */
    public static final String DEFAULT_USERNAME = "pullab";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-fA-F]{24}");
    private static final Pattern VERSION_PREFIX = Pattern.compile("/(v\\d+|latest)(/.*)?");
    private static final Pattern NODE_ROUTE = Pattern.compile("/node/([^/]+)");
    private static final Pattern NODES_ROUTE = Pattern.compile("/nodes/([^/]+)");
    /** Python 3.10 {@code datetime.fromisoformat}, naive forms only (any one separator character, like Python). */
    private static final Pattern PY310_NAIVE_ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:.(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(\\d{3}|\\d{6}))?)?)?)?",
            Pattern.DOTALL);
    private static final String INVALID_FROM = "Invalid 'from' parameter, must be an ISO 8601 datetime";

    private static final Set<String> STATES = Set.of("running", "available", "closing", "done");
    private static final Set<String> RESULTS = Set.of("pass", "fail", "skip", "incomplete");
    private static final Map<String, Set<String>> TRANSITIONS = Map.of(
            "running", Set.of("available", "closing", "done"),
            "available", Set.of("closing", "done"),
            "closing", Set.of("done"),
            "done", Set.of());
    /** Concrete node kinds {@code parse_node_obj} accepts. */
    private static final Set<String> KINDS = Set.of("checkout", "kbuild", "test", "job", "process", "regression");
    /** kernelci-core {@code TestData} fields: the data keys a job/test node keeps through {@code PUT /nodes}. */
    private static final Set<String> TEST_DATA_FIELDS = Set.of(
            "error_code", "error_msg", "test_source", "test_revision", "platform", "device", "runtime", "job_id",
            "job_context", "regression", "kernel_revision", "arch", "defconfig", "config_full", "compiler",
            "kernel_type", "misc");
    /** {@code NodePatchRequest} fields. */
    private static final Set<String> PATCH_FIELDS = Set.of(
            "state", "result", "artifacts", "data", "debug", "jobfilter", "platform_filter", "timeout", "holdoff",
            "processed_by_kcidb_bridge");
    /** Serialized {@code Node} field set, in the API's order. */
    private static final List<String> NODE_FIELDS = List.of(
            "id", "kind", "name", "path", "group", "parent", "state", "result", "artifacts", "data", "debug",
            "jobfilter", "platform_filter", "created", "updated", "timeout", "holdoff", "owner", "submitter",
            "treeid", "user_groups", "processed_by_kcidb_bridge", "retry_counter");
    /** {@code /events} parameters that filter on the event's {@code data} (reference A.1 table). */
    private static final Map<String, String> EVENT_DATA_PARAMS = Map.of(
            "kind", "data.kind", "state", "data.state", "result", "data.result", "op", "data.op",
            "name", "data.name", "group", "data.group", "owner", "data.owner");
    private static final Set<String> PY_TRUE = Set.of("true", "1", "yes", "on", "t", "y");
    private static final Set<String> PY_FALSE = Set.of("false", "0", "no", "off", "f", "n");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;
    private final String username;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private final Object lock = new Object();
    private final Map<String, ObjectNode> nodes = new LinkedHashMap<>();
    private final List<ObjectNode> events = new ArrayList<>();
    /** state/result of each node as of its last published event: {@code previous_*} of the next update. */
    private final Map<String, ObjectNode> lastPublished = new HashMap<>();
    private long nextSequenceId = 1;

    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Fault> faults = new ArrayDeque<>();
    /** Each node moved to {@code done}, as it was just before (see {@link #staleReadsOfFinishedNodes}). */
    private final Map<String, ObjectNode> beforeDone = new HashMap<>();
    private volatile boolean staleFinishedReads;
    private volatile Supplier<String> clock = new MonotonicUtcClock();

    private final String objectIdMiddle;
    private final AtomicInteger objectIdCounter = new AtomicInteger(RANDOM.nextInt(0x1000000));

    /** The header in which pullab's HTTP client numbers its attempts (RetryingHttp.ATTEMPT_HEADER). */
    public static final String ATTEMPT_HEADER = "Pullab-Attempt";

    /** The attempt number a client sent, 1 when it sent none or something else. */
    private static int attempt(String header) {
        return header != null && header.matches("[1-9][0-9]{0,3}") ? Integer.parseInt(header) : 1;
    }

    /**
     * One request as the double received it.
     *
     * @param method              HTTP method
     * @param path                decoded path as sent, e.g. {@code /latest/events}
     * @param query               raw query string, {@code ""} when none
     * @param authorizationPresent whether an {@code Authorization} header was sent
     * @param authorizationValid  whether it was {@code Bearer <the double's token>}
     * @param body                request body as UTF-8 text, {@code ""} when none
     * @param injectedFault       whether an injected fault ({@link #failNext}, {@link #delayNext}) answered it: a
     *                            failed one was not applied, a delayed one was applied after the client gave up
     * @param attempt             the client's attempt number within one call ({@code Pullab-Attempt}; 1 when not
     *                            sent): above 1, a transport retry of the same request
     */
    public record RecordedRequest(
            String method, String path, String query, boolean authorizationPresent, boolean authorizationValid,
            String body, boolean injectedFault, int attempt) {

        public RecordedRequest(String method, String path, String query, boolean authorizationPresent,
                boolean authorizationValid, String body, boolean injectedFault) {
            this(method, path, query, authorizationPresent, authorizationValid, body, injectedFault, 1);
        }

        /** The path without its API version prefix, e.g. {@code /events}, {@code /node/<id>}. */
        public String route() {
            return stripVersion(path);
        }

        /** Decoded query parameters (last value wins, like the API). */
        public Map<String, String> queryParameters() {
            return parseQuery(query);
        }

        /** The body parsed as JSON ({@code MissingNode} when empty). */
        public JsonNode bodyJson() {
            try {
                return body.isEmpty() ? JSON.missingNode() : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("request body is not JSON: " + body, e);
            }
        }
    }

    private record Fault(int status, Duration delay) {
    }

    private record Response(int status, String body) {
    }

    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient JsonNode detail;

        ApiError(int status, String detail) {
            this(status, TextNode.valueOf(detail));
        }

        ApiError(int status, JsonNode detail) {
            super(detail.toString(), null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    private KernelCiApiDouble(String token, String username) throws IOException {
        this.token = Objects.requireNonNull(token, "token");
        this.username = Objects.requireNonNull(username, "username");
        byte[] middle = new byte[5];
        RANDOM.nextBytes(middle);
        StringBuilder hex = new StringBuilder();
        for (byte b : middle) {
            hex.append(String.format("%02x", b));
        }
        this.objectIdMiddle = hex.toString();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        this.executor = Executors.newFixedThreadPool(8, daemonThreads());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.baseUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/latest");
    }

    /**
     * Starts a double on a free port; writes need {@code Authorization: Bearer <token>}.
     *
     * @throws UncheckedIOException when the server cannot bind
     */
    public static KernelCiApiDouble start(String token) {
        return start(token, DEFAULT_USERNAME);
    }

    /**
     * Like {@link #start(String)}; {@code username} is the user the token belongs to (owner of nodes created by
     * {@code PUT /nodes} without an owner).
     */
    public static KernelCiApiDouble start(String token, String username) {
        try {
            return new KernelCiApiDouble(token, username);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the KernelCI API double", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/latest}, no trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /** The Bearer token writes require. */
    public String token() {
        return token;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Store and setup

    /**
     * Sets the clock for timestamps the double makes (events of PATCH/PUT, {@code updated}, defaults). Values
     * should be naive UTC ISO strings and increase.
     */
    public void setClock(Supplier<String> clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Adds or replaces a node (needs a 24-hex {@code id}); publishes nothing. */
    public void putNode(ObjectNode node) {
        String id = requireNodeId(node);
        synchronized (lock) {
            nodes.put(id, node.deepCopy());
        }
    }

    /**
     * Appends an event for the node's current state, as the API's {@code _get_node_event_data} builds it; for
     * {@code op = "updated"} {@code previous_state}/{@code previous_result} are the state/result of the node's
     * previous event ({@code null} when there was none).
     *
     * @param timestamp naive ISO timestamp, kept verbatim
     * @return the new event's id
     * @throws IllegalArgumentException for an unknown node or a timestamp Python's {@code fromisoformat} rejects
     */
    public String publish(String nodeId, String op, String timestamp) {
        Objects.requireNonNull(op, "op");
        if (parseNaiveIso(timestamp).isEmpty()) {
            throw new IllegalArgumentException("not a naive ISO timestamp: " + timestamp);
        }
        synchronized (lock) {
            ObjectNode node = nodes.get(normalizeId(nodeId));
            if (node == null) {
                throw new IllegalArgumentException("unknown node: " + nodeId);
            }
            return appendEvent(node, op, timestamp, false, lastPublished.get(node.get("id").asText()));
        }
    }

    /** {@link #putNode} then {@link #publish} {@code created}; returns the event id. */
    public String addJob(ObjectNode node, String timestamp) {
        synchronized (lock) {
            putNode(node);
            return publish(node.get("id").asText(), "created", timestamp);
        }
    }

    /** Appends any document to the event collection verbatim (e.g. malformed events). */
    public void publishRaw(ObjectNode eventDocument) {
        synchronized (lock) {
            events.add(eventDocument.deepCopy());
        }
    }

    /** The node's current state. */
    public Optional<ObjectNode> node(String id) {
        synchronized (lock) {
            ObjectNode node = nodes.get(normalizeId(id));
            return node == null ? Optional.empty() : Optional.of(node.deepCopy());
        }
    }

    /** All stored nodes, in insertion order. */
    public List<ObjectNode> nodes() {
        synchronized (lock) {
            return nodes.values().stream().map(ObjectNode::deepCopy).collect(Collectors.toList());
        }
    }

    /** All event documents, in insertion order (without {@code node}). */
    public List<ObjectNode> events() {
        synchronized (lock) {
            return events.stream().map(ObjectNode::deepCopy).collect(Collectors.toList());
        }
    }

    /** Every request received so far, in arrival order (including failed and delayed ones). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        requests.clear();
    }

    /**
     * While on, {@code GET /node/{id}} answers a node that was moved to {@code done} as it was just before (a read
     * that lags the write, as a stale replica or cache would): a client that checks the state before finishing then
     * tries to finish it again. Writes and events are unaffected.
     */
    public void staleReadsOfFinishedNodes(boolean on) {
        staleFinishedReads = on;
    }

    /**
     * The next {@code count} requests (any route; queued after earlier faults) answer {@code status} with
     * {@code {"detail":"injected failure"}} and change nothing.
     */
    public void failNext(int count, int status) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("count " + count + ", status " + status);
        }
        synchronized (faults) {
            for (int i = 0; i < count; i++) {
                faults.add(new Fault(status, null));
            }
        }
    }

    /**
     * The next {@code count} requests (any route; queued after earlier faults) sleep {@code delay} before being
     * handled normally: the write still happens after the delay, as with a slow server.
     */
    public void delayNext(int count, Duration delay) {
        if (count < 0 || delay.isNegative()) {
            throw new IllegalArgumentException("count " + count + ", delay " + delay);
        }
        synchronized (faults) {
            for (int i = 0; i < count; i++) {
                faults.add(new Fault(0, delay));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP

    private void handle(HttpExchange exchange) {
        try {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getPath();
            String query = Objects.requireNonNullElse(exchange.getRequestURI().getRawQuery(), "");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (isH2cUpgrade(exchange)) {
                // as kernelci-api under uvicorn's httptools parser: "Unsupported upgrade request", body dropped
                body = "";
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean authorized = isValidAuthorization(authorization);
            Fault fault;
            synchronized (faults) {
                fault = faults.poll();
            }
            requests.add(new RecordedRequest(method, path, query, authorization != null, authorized, body,
                    fault != null, attempt(exchange.getRequestHeaders().getFirst(ATTEMPT_HEADER))));
            if (fault != null && fault.delay() != null) {
                Thread.sleep(fault.delay().toMillis());
            }
            Response response;
            if (fault != null && fault.delay() == null) {
                response = error(fault.status(), TextNode.valueOf("injected failure"));
            } else {
                response = answer(method, path, parseQuery(query), body, authorized);
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the client went away (e.g. timed out on a delayed request)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** The JDK client's {@code Upgrade: h2c} on a plain request when no HTTP version was set (see RetryingHttp). */
    private static boolean isH2cUpgrade(HttpExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("h2c");
    }

    private Response answer(String method, String path, Map<String, String> query, String body, boolean authorized) {
        try {
            String route = routeOf(path);
            if (route.equals("/")) {
                requireMethod(method, "GET");
                return ok(NODES.objectNode().put("message", "KernelCI API"));
            }
            if (route.equals("/events")) {
                requireMethod(method, "GET");
                return ok(getEvents(query));
            }
            Matcher node = NODE_ROUTE.matcher(route);
            if (node.matches()) {
                String id = node.group(1);
                switch (method) {
                    case "GET":
                        return ok(getNode(id));
                    case "PATCH":
                        requireAuthorization(authorized);
                        return ok(patchNode(id, query, body));
                    case "PUT":
                        requireAuthorization(authorized);
                        return ok(putNodeRoute(id, query, body));
                    default:
                        throw methodNotAllowed();
                }
            }
            Matcher hierarchy = NODES_ROUTE.matcher(route);
            if (hierarchy.matches()) {
                requireMethod(method, "PUT");
                requireAuthorization(authorized);
                return ok(putHierarchy(hierarchy.group(1), body));
            }
            throw new ApiError(404, "Not Found");
        } catch (ApiError e) {
            return error(e.status, e.detail);
        } catch (RuntimeException e) {
            return error(500, TextNode.valueOf("double failure: " + e));
        }
    }

    private static String routeOf(String path) {
        Matcher m = VERSION_PREFIX.matcher(path);
        if (m.matches() && !m.group(1).equals("latest") && !m.group(1).equals("v0")) {
            throw new ApiError(400, "Unsupported API version");
        }
        return stripVersion(path);
    }

    private static String stripVersion(String path) {
        Matcher m = VERSION_PREFIX.matcher(path);
        if (m.matches()) {
            return m.group(2) == null ? "/" : m.group(2);
        }
        return path.isEmpty() ? "/" : path;
    }

    private boolean isValidAuthorization(String header) {
        if (header == null) {
            return false;
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return false;
        }
        return value.substring(0, space).equalsIgnoreCase("bearer") && value.substring(space + 1).strip().equals(token);
    }

    private static void requireAuthorization(boolean authorized) {
        if (!authorized) {
            throw new ApiError(401, "Unauthorized");
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed();
        }
    }

    private static ApiError methodNotAllowed() {
        return new ApiError(405, "Method Not Allowed");
    }

    private static Response ok(JsonNode body) {
        return new Response(200, write(body));
    }

    private static Response error(int status, JsonNode detail) {
        return new Response(status, write(NODES.objectNode().set("detail", detail)));
    }

    private static String write(JsonNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.remove(key(key));
            params.put(key(key), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static String key(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------------------
    // GET /events

    private JsonNode getEvents(Map<String, String> params) {
        Map<String, String> query = new LinkedHashMap<>(params);
        String recursive = query.remove("recursive");
        String limitText = query.remove("limit");
        String offsetText = query.remove("offset");
        String from = query.remove("from");
        String nodeId = query.remove("node_id");
        String eventId = query.remove("id");
        String eventIds = query.remove("ids");
        String path = query.remove("path");

        Map<String, String> equality = new LinkedHashMap<>();
        for (Map.Entry<String, String> mapped : EVENT_DATA_PARAMS.entrySet()) {
            String value = query.remove(mapped.getKey());
            if (value != null && !value.isEmpty()) {
                equality.put(mapped.getValue(), value);
            }
        }
        if (nodeId != null && !nodeId.isEmpty()) {
            if (query.containsKey("data.id")) {
                throw new ApiError(400, "Provide either node_id or data.id, not both");
            }
            equality.put("data.id", nodeId);
        }
        equality.putAll(query);

        Set<String> wantedIds = eventIdFilter(eventId, eventIds);
        LocalDateTime after = null;
        if (from != null && !from.isEmpty()) {
            after = parseNaiveIso(from).orElseThrow(() -> new ApiError(400, INVALID_FROM));
        }
        Integer limit = null;
        if (limitText != null && !limitText.isEmpty()) {
            limit = pythonInt(limitText);
        }
        boolean isRecursive = recursive != null && !recursive.isEmpty();
        if (isRecursive && (limitText == null || limitText.isEmpty() || limit > 1000)) {
            throw new ApiError(400, "Recursive limit is too large, max is 1000");
        }
        int offset = offsetText == null ? 0 : pythonInt(offsetText);
        if (offset < 0) {
            throw new ApiError(400, "offset must be >= 0");
        }
        Pattern pathRegex = null;
        if (path != null && !path.isEmpty()) {
            try {
                pathRegex = Pattern.compile(path);
            } catch (PatternSyntaxException e) {
                throw new ApiError(400, "Invalid path regex: " + e.getDescription());
            }
        }
        Map<String[], JsonNode> expected = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : equality.entrySet()) {
            expected.put(e.getKey().split("\\.", -1), queryValue(e.getValue()));
        }

        ArrayNode out = NODES.arrayNode();
        synchronized (lock) {
            int skipped = 0;
            for (ObjectNode event : events) {
                if (!matches(event, wantedIds, after, pathRegex, expected)) {
                    continue;
                }
                if (skipped < offset) {
                    skipped++;
                    continue;
                }
                if (limit != null && limit != 0 && out.size() >= Math.abs(limit)) {
                    break;
                }
                ObjectNode copy = event.deepCopy();
                if (isRecursive) {
                    JsonNode id = event.path("data").path("id");
                    ObjectNode node = id.isTextual() ? nodes.get(normalizeId(id.asText())) : null;
                    if (node != null) {
                        copy.set("node", node.deepCopy());
                    }
                }
                out.add(copy);
            }
        }
        return out;
    }

    private static Set<String> eventIdFilter(String eventId, String eventIds) {
        boolean single = eventId != null && !eventId.isEmpty();
        boolean several = eventIds != null && !eventIds.isEmpty();
        if (single && several) {
            throw new ApiError(400, "Provide either id or ids, not both");
        }
        if (single) {
            if (!OBJECT_ID.matcher(eventId).matches()) {
                throw new ApiError(400, "Invalid id format");
            }
            return Set.of(eventId.toLowerCase(Locale.ROOT));
        }
        if (several) {
            Set<String> ids = new HashSet<>();
            for (String id : eventIds.split(",")) {
                String trimmed = id.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!OBJECT_ID.matcher(trimmed).matches()) {
                    throw new ApiError(400, "Invalid ids format");
                }
                ids.add(trimmed.toLowerCase(Locale.ROOT));
            }
            if (ids.isEmpty()) {
                throw new ApiError(400, "ids must contain at least one id");
            }
            return ids;
        }
        return null;
    }

    private static boolean matches(ObjectNode event, Set<String> wantedIds, LocalDateTime after, Pattern pathRegex,
                                   Map<String[], JsonNode> expected) {
        if (wantedIds != null) {
            JsonNode id = event.get("id");
            if (id == null || !id.isTextual() || !wantedIds.contains(id.asText().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        if (after != null) {
            // Mongo compares dates with dates only: a missing or non-date timestamp never matches $gt
            JsonNode ts = event.get("timestamp");
            Optional<LocalDateTime> at = ts != null && ts.isTextual() ? parseNaiveIso(ts.asText()) : Optional.empty();
            if (at.isEmpty() || !at.get().isAfter(after)) {
                return false;
            }
        }
        if (pathRegex != null && !anyTextMatches(event.path("data").path("path"), pathRegex)) {
            return false;
        }
        for (Map.Entry<String[], JsonNode> e : expected.entrySet()) {
            if (!pathEquals(event, e.getKey(), 0, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyTextMatches(JsonNode value, Pattern regex) {
        if (value.isTextual()) {
            return regex.matcher(value.asText()).find();
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (element.isTextual() && regex.matcher(element.asText()).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Mongo equality on a dotted path: arrays are traversed, and an array matches when an element equals. */
    private static boolean pathEquals(JsonNode node, String[] path, int index, JsonNode expected) {
        if (index == path.length) {
            if (node.equals(expected)) {
                return true;
            }
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (element.equals(expected)) {
                        return true;
                    }
                }
            }
            return false;
        }
        if (node.isObject()) {
            JsonNode child = node.get(path[index]);
            return child != null && pathEquals(child, path, index + 1, expected);
        }
        if (node.isArray()) {
            if (path[index].matches("\\d+")) {
                int i = Integer.parseInt(path[index]);
                if (i < node.size() && pathEquals(node.get(i), path, index + 1, expected)) {
                    return true;
                }
            }
            for (JsonNode element : node) {
                if (element.isObject() && pathEquals(element, path, index, expected)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code _convert_bool_values}: "true"/"false" (any case) become booleans; everything else stays a string. */
    private static JsonNode queryValue(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return BooleanNode.TRUE;
        }
        if (lower.equals("false")) {
            return BooleanNode.FALSE;
        }
        return TextNode.valueOf(value);
    }

    private static int pythonInt(String text) {
        try {
            return Integer.parseInt(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ApiError(400, "invalid literal for int() with base 10: '" + text + "'");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // GET /node/{id}

    private JsonNode getNode(String rawId) {
        String id = validObjectId(rawId);
        synchronized (lock) {
            ObjectNode node = nodes.get(id);
            if (node != null && staleFinishedReads && beforeDone.containsKey(id)) {
                node = beforeDone.get(id);
            }
            return node == null ? NullNode.getInstance() : node.deepCopy();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // PATCH /node/{id}

    private JsonNode patchNode(String rawId, Map<String, String> query, String body) {
        String id = validObjectId(rawId);
        synchronized (lock) {
            ObjectNode current = existingNode(id);
            ObjectNode patch = bodyObject(body, true);
            boolean noEvent = pythonBool(query.get("noevent"), "noevent");
            for (Map.Entry<String, JsonNode> field : patch.properties()) {
                if (!PATCH_FIELDS.contains(field.getKey())) {
                    throw extraForbidden(List.of("body", field.getKey()));
                }
            }
            if (patch.isEmpty()) {
                throw new ApiError(400, "No fields to update");
            }
            ObjectNode previous = stateAndResult(current);
            ObjectNode updated = current.deepCopy();
            for (Map.Entry<String, JsonNode> field : patch.properties()) {
                if (!field.getKey().equals("state")) {
                    updated.set(field.getKey(), validField(field.getKey(), field.getValue(), List.of("body")));
                }
            }
            if (patch.has("state")) {
                String newState = validField("state", patch.get("state"), List.of("body")).asText();
                checkTransition(current.path("state").asText(""), newState);
                updated.put("state", newState);
            }
            checkErrorCode(updated);
            if (!patch.has("processed_by_kcidb_bridge")) {
                updated.put("processed_by_kcidb_bridge", false);
            }
            updated.put("updated", now());
            rememberBeforeDone(current, updated);
            nodes.put(id, updated);
            if (!noEvent) {
                appendEvent(updated, "updated", now(), false, previous);
            }
            return updated.deepCopy();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // PUT /node/{id}

    /**
     * Upstream {@code put_node}: a full node; everything but owner, submitter, user_groups and state is taken from
     * the body, omitted fields take model defaults; the state is applied after the transition check.
     */
    private JsonNode putNodeRoute(String rawId, Map<String, String> query, String body) {
        String id = validObjectId(rawId);
        synchronized (lock) {
            ObjectNode stored = existingNode(id);
            ObjectNode request = bodyObject(body, false);
            boolean noEvent = pythonBool(query.get("noevent"), "noevent");
            String now = now();
            ObjectNode node = completeNode(request, List.of("body"), now);
            node.put("id", id);
            for (String kept : List.of("owner", "submitter", "user_groups")) {
                node.set(kept, stored.path(kept).isMissingNode() ? NullNode.getInstance() : stored.get(kept).deepCopy());
            }
            checkKind(node);
            checkErrorCode(node);
            String storedState = stored.path("state").asText("");
            String newState = node.get("state").asText();
            checkTransition(storedState, newState);
            boolean bodyFlag = node.get("processed_by_kcidb_bridge").asBoolean();
            boolean flag = bodyFlag;
            if (!newState.equals(storedState) || stored.path("processed_by_kcidb_bridge").asBoolean(false) == bodyFlag) {
                flag = false;
            }
            node.put("processed_by_kcidb_bridge", flag);
            node.put("updated", now);
            ObjectNode previous = stateAndResult(stored);
            rememberBeforeDone(stored, node);
            nodes.put(id, node);
            if (!noEvent) {
                appendEvent(node, "updated", now(), false, previous);
            }
            return node.deepCopy();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // PUT /nodes/{id}

    private JsonNode putHierarchy(String rawId, String body) {
        String id = validObjectId(rawId);
        synchronized (lock) {
            ObjectNode storedRoot = existingNode(id);
            ObjectNode request = bodyObject(body, false);
            String now = now();
            // validate and complete the whole hierarchy first, then write
            List<ObjectNode> flat = new ArrayList<>();
            List<Integer> parentIndex = new ArrayList<>();
            flatten(request, List.of("body"), -1, now, flat, parentIndex);
            ObjectNode root = flat.get(0);
            root.put("id", id);
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                if (node.path("owner").isNull() || node.path("owner").asText().isEmpty()) {
                    node.put("owner", username);
                }
                node.set("submitter", storedRoot.path("submitter").isMissingNode()
                        ? NullNode.getInstance() : storedRoot.get("submitter").deepCopy());
                node.set("treeid", storedRoot.path("treeid").isMissingNode()
                        ? NullNode.getInstance() : storedRoot.get("treeid").deepCopy());
                checkKind(node);
                checkErrorCode(node);
                if (node.get("kind").asText().equals("job") || node.get("kind").asText().equals("test")) {
                    JsonNode data = node.get("data");
                    if (data instanceof ObjectNode object) {
                        object.retain(TEST_DATA_FIELDS);
                    }
                }
                if (i > 0 && node.hasNonNull("id")) {
                    String childId = node.get("id").asText();
                    if (!nodes.containsKey(childId)) {
                        throw new ApiError(400, "No object found with id: " + childId);
                    }
                }
            }
            // ids and parents, still without touching the store
            List<Boolean> existing = new ArrayList<>();
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                existing.add(node.hasNonNull("id"));
                if (!node.hasNonNull("id")) {
                    node.put("id", newObjectId());
                }
                if (i > 0) {
                    node.put("parent", flat.get(parentIndex.get(i)).get("id").asText());
                }
                if (node.path("parent").asText("").equals(node.get("id").asText())) {
                    throw new ApiError(400, "Parent cannot be the same as the object");
                }
            }
            ObjectNode previous = stateAndResult(storedRoot);
            rememberBeforeDone(storedRoot, root);
            ArrayNode written = NODES.arrayNode();
            for (int i = 0; i < flat.size(); i++) {
                ObjectNode node = flat.get(i);
                if (existing.get(i)) {
                    node.put("updated", now);
                }
                nodes.put(node.get("id").asText(), node);
                written.add(node.deepCopy());
            }
            appendEvent(root, "updated", now(), true, previous);
            return written;
        }
    }

    private void flatten(JsonNode hierarchy, List<Object> loc, int parent, String now, List<ObjectNode> flat,
                         List<Integer> parentIndex) {
        if (!hierarchy.isObject()) {
            throw validation("model_attributes_type", loc, "Input should be a valid dictionary or object");
        }
        for (Map.Entry<String, JsonNode> field : hierarchy.properties()) {
            if (!field.getKey().equals("node") && !field.getKey().equals("child_nodes")) {
                throw extraForbidden(append(loc, field.getKey()));
            }
        }
        JsonNode node = hierarchy.get("node");
        if (node == null) {
            throw missing(append(loc, "node"));
        }
        JsonNode children = hierarchy.get("child_nodes");
        if (children == null) {
            throw missing(append(loc, "child_nodes"));
        }
        if (!children.isArray()) {
            throw validation("list_type", append(loc, "child_nodes"), "Input should be a valid list");
        }
        ObjectNode complete = completeNode(node, append(loc, "node"), now);
        int index = flat.size();
        flat.add(complete);
        parentIndex.add(parent);
        for (int i = 0; i < children.size(); i++) {
            flatten(children.get(i), append(append(loc, "child_nodes"), i), index, now, flat, parentIndex);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Node validation

    /** The node as the model would hold it: every field, defaults for the omitted ones, values validated. */
    private static ObjectNode completeNode(JsonNode body, List<Object> loc, String now) {
        if (!body.isObject()) {
            throw validation("model_attributes_type", loc, "Input should be a valid dictionary or object");
        }
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            if (!NODE_FIELDS.contains(field.getKey())) {
                throw extraForbidden(append(loc, field.getKey()));
            }
        }
        for (String required : List.of("name", "path")) {
            if (!body.has(required)) {
                throw missing(append(loc, required));
            }
        }
        ObjectNode node = NODES.objectNode();
        for (String field : NODE_FIELDS) {
            JsonNode value = body.get(field);
            node.set(field, value == null ? defaultValue(field, now) : validField(field, value, loc));
        }
        return node;
    }

    private static JsonNode defaultValue(String field, String now) {
        switch (field) {
            case "kind":
                return TextNode.valueOf("node");
            case "state":
                return TextNode.valueOf("running");
            case "artifacts":
            case "data":
            case "debug":
                return NODES.objectNode();
            case "platform_filter":
            case "user_groups":
                return NODES.arrayNode();
            case "created":
            case "updated":
                return TextNode.valueOf(now);
            case "timeout":
                return TextNode.valueOf(parseNaiveIso(now)
                        .map(t -> isoformat(t.plusHours(6)))
                        .orElseGet(() -> isoformat(LocalDateTime.now(ZoneOffset.UTC).plusHours(6))));
            case "processed_by_kcidb_bridge":
                return BooleanNode.FALSE;
            case "retry_counter":
                return NODES.numberNode(0);
            default:
                return NullNode.getInstance();
        }
    }

    /** Validates one node field as pydantic would (422 otherwise); returns the value to store. */
    private static JsonNode validField(String field, JsonNode value, List<Object> parentLoc) {
        List<Object> loc = append(parentLoc, field);
        switch (field) {
            case "id":
            case "parent":
                if (value.isNull() && field.equals("parent")) {
                    return value;
                }
                if (value.isNull() || !value.isTextual() || !OBJECT_ID.matcher(value.asText()).matches()) {
                    throw validation("value_error", loc, "Value error, Invalid ObjectId");
                }
                return TextNode.valueOf(value.asText().toLowerCase(Locale.ROOT));
            case "kind":
            case "name":
                return requireText(value, loc);
            case "group":
            case "owner":
            case "submitter":
            case "treeid":
                return value.isNull() ? value : requireText(value, loc);
            case "path":
            case "user_groups":
                return requireTextList(value, loc);
            case "state":
                if (!value.isTextual() || !STATES.contains(value.asText())) {
                    throw validation("enum", loc, "Input should be 'running', 'available', 'closing' or 'done'");
                }
                return value;
            case "result":
                if (!value.isNull() && (!value.isTextual() || !RESULTS.contains(value.asText()))) {
                    throw validation("enum", loc, "Input should be 'pass', 'fail', 'skip' or 'incomplete'");
                }
                return value;
            case "artifacts":
                if (value.isNull()) {
                    return value;
                }
                requireObject(value, loc);
                for (Map.Entry<String, JsonNode> artifact : value.properties()) {
                    String url = artifact.getValue().asText("");
                    if (!artifact.getValue().isTextual() || !(url.startsWith("http://") || url.startsWith("https://"))
                            || url.length() <= url.indexOf("//") + 2) {
                        throw validation("url_parsing", append(loc, artifact.getKey()),
                                "Input should be a valid URL with scheme http or https");
                    }
                }
                return value;
            case "data":
            case "debug":
                if (!value.isNull()) {
                    requireObject(value, loc);
                }
                return value;
            case "jobfilter":
            case "platform_filter":
                if (!value.isNull() && !value.isArray()) {
                    throw validation("list_type", loc, "Input should be a valid list");
                }
                return value;
            case "created":
            case "updated":
            case "timeout":
            case "holdoff":
                if (value.isNull() && field.equals("holdoff")) {
                    return value;
                }
                return TextNode.valueOf(isoformat(parseDatetime(value)
                        .orElseThrow(() -> validation("datetime_from_date_parsing", loc,
                                "Input should be a valid datetime"))));
            case "processed_by_kcidb_bridge":
                if (!value.isBoolean()) {
                    throw validation("bool_type", loc, "Input should be a valid boolean");
                }
                return value;
            case "retry_counter":
                if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                    throw validation("int_type", loc, "Input should be a valid integer");
                }
                return value;
            default:
                throw extraForbidden(loc);
        }
    }

    private static JsonNode requireText(JsonNode value, List<Object> loc) {
        if (!value.isTextual()) {
            throw validation("string_type", loc, "Input should be a valid string");
        }
        return value;
    }

    private static JsonNode requireTextList(JsonNode value, List<Object> loc) {
        if (!value.isArray()) {
            throw validation("list_type", loc, "Input should be a valid list");
        }
        for (int i = 0; i < value.size(); i++) {
            requireText(value.get(i), append(loc, i));
        }
        return value;
    }

    private static void requireObject(JsonNode value, List<Object> loc) {
        if (!value.isObject()) {
            throw validation("dict_type", loc, "Input should be a valid dictionary");
        }
    }

    /** Called with the lock held when {@code stored} is replaced by {@code updated}. */
    private void rememberBeforeDone(ObjectNode stored, ObjectNode updated) {
        if (!"done".equals(stored.path("state").asText()) && "done".equals(updated.path("state").asText())) {
            beforeDone.put(updated.path("id").asText(stored.path("id").asText()), stored.deepCopy());
        }
    }

    private static void checkKind(ObjectNode node) {
        String kind = node.get("kind").asText();
        if (!KINDS.contains(kind)) {
            throw new ApiError(400, "Unsupported node kind: " + kind);
        }
    }

    private static void checkTransition(String from, String to) {
        if (from.equals(to)) {
            return;
        }
        if (!TRANSITIONS.getOrDefault(from, Set.of()).contains(to)) {
            throw new ApiError(400, "Transition not allowed with state: " + to);
        }
    }

    /** {@code data.error_code} must be one of kernelci-core's {@code ErrorCodes} (or null). */
    private static void checkErrorCode(ObjectNode node) {
        JsonNode code = node.path("data").path("error_code");
        if (code.isMissingNode() || code.isNull()) {
            return;
        }
        if (code.isTextual() && ERROR_CODES.contains(code.asText())) {
            return;
        }
        String allowed = ERROR_CODES.stream()
                .map(c -> "'" + c + "'")
                .collect(Collectors.joining(", "));
        String kind = node.path("kind").asText("node");
        String model = kind.isEmpty() ? "Node" : Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
        throw new ApiError(400, "1 validation error for " + model + "\ndata.error_code\n  Input should be "
                + allowed + " [type=enum, input_value=" + code + "]");
    }

    private ObjectNode existingNode(String id) {
        ObjectNode node = nodes.get(id);
        if (node == null) {
            throw new ApiError(404, "Node not found with id: " + id);
        }
        return node;
    }

    private static String validObjectId(String id) {
        if (!OBJECT_ID.matcher(id).matches()) {
            throw new ApiError(400, "'" + id + "' is not a valid ObjectId, it must be a 12-byte input or a "
                    + "24-character hex string");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    private static ObjectNode bodyObject(String body, boolean emptyIsEmptyObject) {
        if (body.isBlank()) {
            if (emptyIsEmptyObject) {
                return NODES.objectNode();
            }
            throw missing(List.of("body"));
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw validation("json_invalid", List.of("body", 0), "JSON decode error");
        }
        if (!(json instanceof ObjectNode object)) {
            throw validation("model_attributes_type", List.of("body"), "Input should be a valid dictionary or object");
        }
        return object;
    }

    private static boolean pythonBool(String value, String name) {
        if (value == null) {
            return false;
        }
        String lower = value.strip().toLowerCase(Locale.ROOT);
        if (PY_TRUE.contains(lower)) {
            return true;
        }
        if (PY_FALSE.contains(lower)) {
            return false;
        }
        throw validation("bool_parsing", List.of("query", name), "Input should be a valid boolean, unable to interpret input");
    }

    private static ApiError validation(String type, List<Object> loc, String message) {
        ArrayNode locNode = NODES.arrayNode();
        for (Object part : loc) {
            if (part instanceof Integer i) {
                locNode.add(i);
            } else {
                locNode.add(String.valueOf(part));
            }
        }
        ObjectNode error = NODES.objectNode().put("type", type);
        error.set("loc", locNode);
        error.put("msg", message);
        return new ApiError(422, NODES.arrayNode().add(error));
    }

    private static ApiError missing(List<Object> loc) {
        return validation("missing", loc, "Field required");
    }

    private static ApiError extraForbidden(List<Object> loc) {
        return validation("extra_forbidden", loc, "Extra inputs are not permitted");
    }

    private static List<Object> append(List<Object> loc, Object part) {
        List<Object> copy = new ArrayList<>(loc);
        copy.add(part);
        return copy;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Events

    /**
     * Must hold {@link #lock}.
     *
     * @param previous {@code state}/{@code result} before the change ({@code previous_*} of an update), or null
     */
    private String appendEvent(ObjectNode node, String op, String timestamp, boolean isHierarchy,
                               ObjectNode previous) {
        String nodeId = node.path("id").asText();
        ObjectNode data = NODES.objectNode();
        data.put("op", op);
        data.put("id", nodeId);
        for (String field : List.of("kind", "name", "path", "group", "state", "result", "owner", "data")) {
            JsonNode value = node.get(field);
            data.set(field, value == null ? NullNode.getInstance() : value.deepCopy());
        }
        data.put("is_hierarchy", isHierarchy);
        if (op.equals("updated")) {
            data.set("previous_state", previous == null ? NullNode.getInstance() : previous.get("state").deepCopy());
            data.set("previous_result", previous == null ? NullNode.getInstance() : previous.get("result").deepCopy());
        }
        lastPublished.put(nodeId, stateAndResult(node));

        String eventId = newObjectId();
        ObjectNode event = NODES.objectNode();
        event.put("timestamp", timestamp);
        event.put("sequence_id", nextSequenceId++);
        event.put("channel", "node");
        JsonNode owner = node.get("owner");
        event.put("owner", owner != null && owner.isTextual() && !owner.asText().isEmpty()
                ? owner.asText() : "production");
        event.set("data", data);
        event.put("id", eventId);
        events.add(event);
        return eventId;
    }

    private static ObjectNode stateAndResult(ObjectNode node) {
        ObjectNode snapshot = NODES.objectNode();
        JsonNode state = node.get("state");
        JsonNode result = node.get("result");
        snapshot.set("state", state == null ? NullNode.getInstance() : state.deepCopy());
        snapshot.set("result", result == null ? NullNode.getInstance() : result.deepCopy());
        return snapshot;
    }

    private String now() {
        return clock.get();
    }

    private String newObjectId() {
        int seconds = (int) (System.currentTimeMillis() / 1000);
        int counter = objectIdCounter.getAndIncrement() & 0xFFFFFF;
        return String.format("%08x%s%06x", seconds, objectIdMiddle, counter);
    }

    private static String requireNodeId(ObjectNode node) {
        JsonNode id = node == null ? null : node.get("id");
        if (id == null || !id.isTextual() || !OBJECT_ID.matcher(id.asText()).matches()) {
            throw new IllegalArgumentException("a node needs a 24-hex string id: " + node);
        }
        return id.asText().toLowerCase(Locale.ROOT);
    }

    private static String normalizeId(String id) {
        return id == null ? "" : id.toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Timestamps

    /**
     * Python 3.10 {@code datetime.fromisoformat}, naive forms only: {@code YYYY-MM-DD}, optionally followed by one
     * separator character and {@code HH}, {@code HH:MM}, {@code HH:MM:SS}, {@code HH:MM:SS.fff} or
     * {@code HH:MM:SS.ffffff}. A trailing {@code Z}, offsets and epoch numbers are rejected.
     */
    static Optional<LocalDateTime> parseNaiveIso(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = PY310_NAIVE_ISO.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            String fraction = m.group(7);
            int nanos = fraction == null ? 0 : Integer.parseInt((fraction + "000000").substring(0, 6)) * 1000;
            return Optional.of(LocalDateTime.of(
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                    m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
                    nanos));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** What pydantic takes for a datetime field: naive ISO, ISO with offset/Z (converted to UTC), epoch seconds. */
    private static Optional<LocalDateTime> parseDatetime(JsonNode value) {
        if (value.isNumber()) {
            return Optional.of(LocalDateTime.ofInstant(
                    Instant.ofEpochMilli((long) (value.asDouble() * 1000)), ZoneOffset.UTC));
        }
        if (!value.isTextual()) {
            return Optional.empty();
        }
        Optional<LocalDateTime> naive = parseNaiveIso(value.asText());
        if (naive.isPresent()) {
            return naive;
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.asText()).withOffsetSameInstant(ZoneOffset.UTC)
                    .toLocalDateTime());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Python {@code datetime.isoformat()} of a naive datetime (microseconds; fraction omitted when zero). */
    static String isoformat(LocalDateTime t) {
        String base = String.format("%04d-%02d-%02dT%02d:%02d:%02d",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        int micros = t.getNano() / 1000;
        return micros == 0 ? base : base + String.format(".%06d", micros);
    }

    /** Strictly increasing UTC milliseconds (Mongo's resolution), formatted like the API. */
    private static final class MonotonicUtcClock implements Supplier<String> {
        private LocalDateTime last = LocalDateTime.MIN;

        @Override
        public synchronized String get() {
            LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            if (!now.isAfter(last)) {
                now = last.plus(1, ChronoUnit.MILLIS);
            }
            last = now;
            return isoformat(now);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "kernelci-api-double-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
