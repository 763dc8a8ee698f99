package dev.pullab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for kcidb-restd-rs (kcidb-ng {@code kcidb-restd-rs/src/main.rs}): a real HTTP server on
 * 127.0.0.1 and a free port, speaking the same protocol, so KCIDB clients are tested over the wire.
 *
 * <ul>
 *   <li>{@code POST /submit}: the token is the second space-separated word of {@code Authorization}, checked like
 *       {@code jsonwebtoken::decode(token, DecodingKey::from_secret(secret), &Validation::default())} (v9): HS256
 *       only, signature checked with the secret, {@code exp} required and not older than 60 s (leeway), a token
 *       carrying {@code aud} rejected ({@code validate_aud} with no audience configured), and the claims must hold a
 *       string {@code origin}. Failures answer 401 {@code {"id":"0","status":"error","message":...}}. A body that is
 *       not UTF-8 JSON answers 400; otherwise 200 {@code {"id":"<32 alnum>","status":"ok","message":"Received
 *       submission <id> with size <n> bytes"}}. An empty secret disables authentication, as upstream.</li>
 *   <li>{@code GET /status?id=} (authenticated): {@code ready} for a stored id, 404 {@code notfound} otherwise,
 *       400 for an empty or non-alphanumeric id.</li>
 *   <li>{@code GET /health}: {@code OK}.</li>
 * </ul>
 * Unlike the real receiver, which accepts any JSON and leaves schema validation to the asynchronous ingester, every
 * stored submission is also checked with the {@link SchemaCheck} it was started with (pullab's own is
 * {@code KcidbValidator::validate}, the kcidb-io v5.3 schema) and the result kept, so tests can assert that
 * everything sent was valid. {@link #failNext(int, int)} injects faults. Close it to stop the server.
 */
public final class KcidbReceiverDouble implements AutoCloseable {

    /** System property: a folder to keep every schema-valid submission in, for kcidb-io to validate. */
    public static final String SUBMISSIONS_PROPERTY = "pullab.kcidb.submissions";

    /** kcidb-restd-rs's {@code Validation::default()} leeway for {@code exp}. */
    public static final long EXP_LEEWAY_SECONDS = 60;

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

    /**
     * One accepted submission.
     *
     * @param id             the id the receiver answered
     * @param body           the JSON received
     * @param sizeBytes      the body's size in bytes, as in the answer's message
     * @param tokenOrigin    the {@code origin} claim of the JWT it came with ({@code none} without authentication)
     * @param schemaProblems what the {@link SchemaCheck} found wrong; empty when valid
     */
    public record Submission(String id, JsonNode body, int sizeBytes, String tokenOrigin,
                             List<String> schemaProblems) {
        public Submission {
            body = body.deepCopy();
            schemaProblems = List.copyOf(schemaProblems);
        }

        @Override
        public JsonNode body() {
            return body.deepCopy();
        }

        /** Whether the schema check accepts it. */
        public boolean valid() {
            return schemaProblems.isEmpty();
        }
    }

    /**
     * One request as answered. Headers other than the content type are not kept (the JWT stays out of test output).
     *
     * @param method      e.g. {@code POST}
     * @param path        without the query
     * @param contentType the request's {@code Content-Type}, empty when absent
     * @param status      the HTTP status answered
     */
    public record Request(String method, String path, String contentType, int status) {
    }

    private record Fault(int remaining, int status) {
    }

    /** What a submission's body breaks of the KCIDB schema, one line per problem; empty when it is valid. */
    @FunctionalInterface
    public interface SchemaCheck {
        List<String> problems(JsonNode revision);
    }

    private final HttpServer server;
    private final String secret;
    private final Clock clock;
    private final SchemaCheck schema;
    private final ObjectMapper mapper =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final SecureRandom random = new SecureRandom();
    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final Map<String, Submission> byId = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private Fault fault = new Fault(0, 0);

    private KcidbReceiverDouble(String secret, Clock clock, SchemaCheck schema) throws IOException {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/submit", this::handleSubmit);
        server.createContext("/status", this::handleStatus);
        server.createContext("/health", exchange -> respond(exchange, 200, "OK"));
        server.start();
    }

    /**
     * Starts a receiver whose JWTs must be signed with {@code secret} (empty: no authentication) and that checks
     * each submission with {@code schema}.
     */
    public static KcidbReceiverDouble start(String secret, SchemaCheck schema) {
        return start(secret, Clock.systemUTC(), schema);
    }

    /** Starts a receiver that checks {@code exp} against {@code clock}. */
    public static KcidbReceiverDouble start(String secret, Clock clock, SchemaCheck schema) {
        try {
            return new KcidbReceiverDouble(secret, clock, schema);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the KCIDB receiver double", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@code http://127.0.0.1:<port>/submit}. */
    public URI submitUrl() {
        return URI.create(baseUrl() + "/submit");
    }

    /** The next {@code count} requests (any route) are answered {@code status} with an error body. */
    public synchronized void failNext(int count, int status) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("failNext(" + count + ", " + status + ")");
        }
        fault = new Fault(count, status);
    }

    /** The accepted submissions, in order. */
    public List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    /** Whether every accepted submission passed the schema (true when there is none). */
    public boolean allSubmissionsValid() {
        return submissions.stream().allMatch(Submission::valid);
    }

    /** Every request answered, in order, including refused and fault-injected ones. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many requests of this method reached this path, e.g. {@code ("POST", "/submit")}. */
    public long requestCount(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---------------------------------------------------------------- tokens

    /** A token like kcidb-ng's {@code jwt_rest.py}: HS256 {@code {"origin": origin, "exp": now + 1 h}}. */
    public static String jwt(String secret, String origin) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("origin", origin);
        claims.put("exp", Clock.systemUTC().instant().getEpochSecond() + 3600);
        return jwt(secret, claims);
    }

    /** An HS256 token with these claims, signed with {@code secret} (javax.crypto, no JWT library). */
    public static String jwt(String secret, Map<String, Object> claims) {
        return jwt(secret, "HS256", claims);
    }

    /** A token with this {@code alg} header: HS256/HS384/HS512 are signed, anything else gets an empty signature. */
    public static String jwt(String secret, String alg, Map<String, Object> claims) {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("typ", "JWT");
        try {
            String signingInput = B64URL.encodeToString(mapper.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(mapper.writeValueAsBytes(claims));
            Optional<String> macAlgorithm = macAlgorithm(alg);
            String signature = macAlgorithm.isEmpty() ? ""
                    : B64URL.encodeToString(hmac(macAlgorithm.get(), secret, signingInput));
            return signingInput + "." + signature;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("claims are not JSON-serialisable", e);
        }
    }

    private static Optional<String> macAlgorithm(String alg) {
        return switch (alg) {
            case "HS256" -> Optional.of("HmacSHA256");
            case "HS384" -> Optional.of("HmacSHA384");
            case "HS512" -> Optional.of("HmacSHA512");
            default -> Optional.empty();
        };
    }

    private static byte[] hmac(String algorithm, String secret, String input) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    /** The verified {@code origin} claim, or the jsonwebtoken-style error message (kcidb-restd-rs's 401 text). */
    private AuthResult verifyAuth(HttpExchange exchange) {
        if (secret.isEmpty()) {
            return AuthResult.ok("none");
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            return AuthResult.error("JWT is required");
        }
        String[] words = authorization.split(" ", -1);
        if (words.length < 2) {
            return AuthResult.error("Missing or invalid JWT (Bearer)");
        }
        return verifyJwt(words[1]);
    }

    private AuthResult verifyJwt(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return AuthResult.error("InvalidToken");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = mapper.readTree(B64URL_DECODER.decode(parts[0]));
            claims = mapper.readTree(B64URL_DECODER.decode(parts[1]));
            signature = B64URL_DECODER.decode(parts[2]);
        } catch (IllegalArgumentException | IOException e) {
            return AuthResult.error("InvalidToken");
        }
        if (header == null || !header.isObject() || claims == null || !claims.isObject()) {
            return AuthResult.error("InvalidToken");
        }
        if (!"HS256".equals(header.path("alg").asText())) {
            return AuthResult.error("InvalidAlgorithm");
        }
        byte[] expected = hmac("HmacSHA256", secret, parts[0] + "." + parts[1]);
        if (!MessageDigest.isEqual(expected, signature)) {
            return AuthResult.error("InvalidSignature");
        }
        JsonNode exp = claims.get("exp");
        if (exp == null || exp.isNull()) {
            return AuthResult.error("Missing required claim: exp");
        }
        if (!exp.isNumber()) {
            return AuthResult.error("InvalidToken");
        }
        if (exp.asLong() < clock.instant().getEpochSecond() - EXP_LEEWAY_SECONDS) {
            return AuthResult.error("ExpiredSignature");
        }
        if (claims.has("aud")) {
            return AuthResult.error("InvalidAudience");
        }
        JsonNode origin = claims.get("origin");
        if (origin == null || !origin.isTextual()) {
            return AuthResult.error("JSON error: missing field `origin`");
        }
        return AuthResult.ok(origin.asText());
    }

    private record AuthResult(String origin, String error) {
        static AuthResult ok(String origin) {
            return new AuthResult(origin, null);
        }

        static AuthResult error(String message) {
            return new AuthResult(null, message);
        }

        boolean failed() {
            return error != null;
        }
    }

    // ---------------------------------------------------------------- routes

    /** A request that passed the preamble every route shares. */
    private record Admitted(byte[] body, AuthResult auth) {
    }

    /**
     * Reads the body, applies an injected fault, checks the method and the JWT as kcidb-restd-rs does; answers the
     * request itself and returns empty when any of them fails.
     */
    private Optional<Admitted> admit(HttpExchange exchange, String method) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        if (injectFault(exchange)) {
            return Optional.empty();
        }
        if (!exchange.getRequestMethod().equals(method)) {
            respond(exchange, 405, "");
            return Optional.empty();
        }
        AuthResult auth = verifyAuth(exchange);
        if (auth.failed()) {
            respond(exchange, 401, answer("0", "error", auth.error()));
            return Optional.empty();
        }
        return Optional.of(new Admitted(raw, auth));
    }

    private void handleSubmit(HttpExchange exchange) throws IOException {
        try {
            Optional<Admitted> admitted = admit(exchange, "POST");
            if (admitted.isEmpty()) {
                return;
            }
            byte[] raw = admitted.get().body();
            AuthResult auth = admitted.get().auth();
            String body;
            JsonNode json;
            try {
                body = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
                json = mapper.readTree(body);
            } catch (CharacterCodingException e) {
                respond(exchange, 400, "Request body didn't contain valid UTF-8");
                return;
            } catch (JsonProcessingException e) {
                respond(exchange, 400, answer("0", "error", e.getOriginalMessage()));
                return;
            }
            if (json == null || json.isMissingNode()) {
                respond(exchange, 400, answer("0", "error", "EOF while parsing a value at line 1 column 0"));
                return;
            }
            String id = randomId();
            Submission submission = new Submission(id, json, raw.length, auth.origin(), schema.problems(json));
            submissions.add(submission);
            byId.put(id, submission);
            keepForKcidbIo(submission);
            respond(exchange, 200, answer(id, "ok", "Received submission " + id + " with size " + raw.length
                    + " bytes"));
        } finally {
            exchange.close();
        }
    }

    /**
     * Writes a submission our schema check passed to {@value #SUBMISSIONS_PROPERTY} (a folder, when that system
     * property is set; Maven sets it for every test JVM), where {@code mvn verify} has kcidb-io, KCIDB's own library,
     * validate every one: whatever we call valid, KCIDB must accept.
     */
    private static void keepForKcidbIo(Submission submission) {
        String folder = System.getProperty(SUBMISSIONS_PROPERTY);
        if (folder == null || folder.isBlank() || !submission.valid()) {
            return;
        }
        try {
            Path dir = Files.createDirectories(Path.of(folder));
            Files.writeString(dir.resolve("submission-" + submission.id() + ".json"), submission.body().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep KCIDB submission " + submission.id() + " in " + folder, e);
        }
    }

    private void handleStatus(HttpExchange exchange) throws IOException {
        try {
            if (admit(exchange, "GET").isEmpty()) {
                return;
            }
            Optional<String> id = queryParameter(exchange.getRequestURI(), "id");
            if (id.isEmpty()) {
                respond(exchange, 400, "Failed to deserialize query string: missing field `id`");
            } else if (id.get().isEmpty()) {
                respond(exchange, 400, answer("0", "error", "Empty id"));
            } else if (!id.get().chars().allMatch(Character::isLetterOrDigit)) {
                respond(exchange, 400, answer("0", "error", "Invalid id"));
            } else if (byId.containsKey(id.get())) {
                respond(exchange, 200, answer(id.get(), "ready", "File waiting for processing"));
            } else {
                respond(exchange, 404, answer(id.get(), "notfound", "File not found"));
            }
        } finally {
            exchange.close();
        }
    }

    private boolean injectFault(HttpExchange exchange) throws IOException {
        int status;
        synchronized (this) {
            if (fault.remaining() <= 0) {
                return false;
            }
            status = fault.status();
            fault = new Fault(fault.remaining() - 1, status);
        }
        respond(exchange, status, answer("0", "error", "Injected fault (HTTP " + status + ")"));
        return true;
    }

    private static Optional<String> queryParameter(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private String answer(String id, String status, String message) {
        ObjectNode json = mapper.createObjectNode();
        json.put("id", id);
        json.put("status", status);
        json.put("message", message);
        return json.toString();
    }

    private void respond(HttpExchange exchange, int status, String body) throws IOException {
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), contentType,
                status));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type",
                body.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private String randomId() {
        StringBuilder id = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            id.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return id.toString();
    }
}
