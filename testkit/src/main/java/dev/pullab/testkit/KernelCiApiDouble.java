package dev.pullab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


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
 * <p>This class is the HTTP side (routing, authorization, versions, injected faults, the request log) and the public
 * API; the rest is in package-private parts: {@code NodeStore} (nodes, events, clock, ids, under one lock),
 * {@code EventFeed} (event documents, {@code GET /events}), {@code NodeWrites} (the PATCH/PUT routes),
 * {@code NodeValidation} (what the API rejects), {@code ApiTimestamps}, {@code FaultQueue} and {@code ApiError}.
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

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern VERSION_PREFIX = Pattern.compile("/(v\\d+|latest)(/.*)?");
    private static final Pattern NODE_ROUTE = Pattern.compile("/node/([^/]+)");
    private static final Pattern NODES_ROUTE = Pattern.compile("/nodes/([^/]+)");

    private final String token;
    private final String username;
    private volatile List<String> userGroups = List.of("node:edit:any");
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private final NodeStore store = new NodeStore();
    private final EventFeed eventFeed = new EventFeed(store);
    private final NodeWrites writes;
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final FaultQueue faults = new FaultQueue();

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

    private record Response(int status, String body) {
    }

    private KernelCiApiDouble(String token, String username) throws IOException {
        this.token = Objects.requireNonNull(token, "token");
        this.username = username;
        this.writes = new NodeWrites(store, Objects.requireNonNull(username, "username"));
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
        store.setClock(clock);
    }

    /** Adds or replaces a node (needs a 24-hex {@code id}); publishes nothing. */
    public void putNode(ObjectNode node) {
        store.putNode(node);
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
        return store.publish(nodeId, op, timestamp);
    }

    /** {@link #putNode} then {@link #publish} {@code created}; returns the event id. */
    public String addJob(ObjectNode node, String timestamp) {
        return store.addJob(node, timestamp);
    }

    /** Appends any document to the event collection verbatim (e.g. malformed events). */
    public void publishRaw(ObjectNode eventDocument) {
        store.publishRaw(eventDocument);
    }

    /** The node's current state. */
    public Optional<ObjectNode> node(String id) {
        return store.node(id);
    }

    /** All stored nodes, in insertion order. */
    public List<ObjectNode> nodes() {
        return store.nodes();
    }

    /** All event documents, in insertion order (without {@code node}). */
    public List<ObjectNode> events() {
        return store.events();
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
        store.staleReadsOfFinishedNodes(on);
    }

    /**
     * The next {@code count} requests (any route; queued after earlier faults) answer {@code status} with
     * {@code {"detail":"injected failure"}} and change nothing.
     */
    public void failNext(int count, int status) {
        faults.failNext(count, status);
    }

    /**
     * The next {@code count} requests (any route; queued after earlier faults) sleep {@code delay} before being
     * handled normally: the write still happens after the delay, as with a slow server.
     */
    /**
     * The groups {@code GET /whoami} lists for the token's user (default {@code node:edit:any}: this double lets the
     * token edit any node), e.g. {@code runtime:pull-labs-demo:node-editor}.
     */
    public void setUserGroups(List<String> groups) {
        this.userGroups = List.copyOf(groups);
    }

    public void delayNext(int count, Duration delay) {
        faults.delayNext(count, delay);
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
            FaultQueue.Fault fault = faults.poll();
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
            if (route.equals("/whoami")) {
                requireMethod(method, "GET");
                requireAuthorization(authorized);
                return ok(whoami());
            }
            if (route.equals("/events")) {
                requireMethod(method, "GET");
                return ok(eventFeed.get(query));
            }
            Matcher node = NODE_ROUTE.matcher(route);
            if (node.matches()) {
                String id = node.group(1);
                switch (method) {
                    case "GET":
                        return ok(store.read(NodeValidation.validObjectId(id)));
                    case "PATCH":
                        requireAuthorization(authorized);
                        return ok(writes.patch(id, query, body));
                    case "PUT":
                        requireAuthorization(authorized);
                        return ok(writes.put(id, query, body));
                    default:
                        throw methodNotAllowed();
                }
            }
            Matcher hierarchy = NODES_ROUTE.matcher(route);
            if (hierarchy.matches()) {
                requireMethod(method, "PUT");
                requireAuthorization(authorized);
                return ok(writes.putHierarchy(hierarchy.group(1), body));
            }
            throw new ApiError(404, "Not Found");
        } catch (ApiError e) {
            return error(e.status, e.detail);
        } catch (RuntimeException e) {
            return error(500, TextNode.valueOf("double failure: " + e));
        }
    }

    /** The token's user as the API's {@code GET /whoami} answers (fastapi-users' user with its groups). */
    private ObjectNode whoami() {
        ObjectNode user = NODES.objectNode();
        user.put("id", "65265305c74695807499037f");
        user.put("email", username + "@example.org");
        user.put("is_active", true);
        user.put("is_superuser", false);
        user.put("is_verified", true);
        user.put("username", username);
        ArrayNode groups = user.putArray("groups");
        int n = 0;
        for (String name : userGroups) {
            groups.addObject().put("id", String.format("6526530%017x", n++)).put("name", name);
        }
        return user;
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

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "kernelci-api-double-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
