package dev.pullab.core.kcidb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits KCIDB revisions to kcidb-restd-rs ({@code POST /submit}, {@code Authorization: Bearer <jwt>}) and asks how
 * they fared ({@code GET /status?id=}). Every revision is checked against the schema first and never sent when
 * invalid, because the receiver accepts any JSON and the ingester drops invalid submissions later without telling.
 * Transport and retries are {@link RetryingHttp}'s (5xx, 429 and timeouts are retried; 401 is not). The JWT is sent in
 * the header only and never appears in a message or log.
 */
public final class KcidbClient {

    private static final Logger LOG = LoggerFactory.getLogger(KcidbClient.class);
    private static final String SERVICE = "KCIDB";

    /** The largest answer read: the receiver answers a few lines of JSON. */
    public static final int MAX_ANSWER_BYTES = 64 << 10;

    private final KcidbSettings settings;
    private final RetryingHttp http;
    private final ObjectMapper mapper = new ObjectMapper();

    public KcidbClient(KcidbSettings settings, RetryingHttp http) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = Objects.requireNonNull(http, "http");
    }

    public KcidbClient(KcidbSettings settings, RetryPolicy policy) {
        this(settings, new RetryingHttp(SERVICE, policy));
    }

    /** With {@link RetryPolicy#defaults()}. */
    public KcidbClient(KcidbSettings settings) {
        this(settings, RetryPolicy.defaults());
    }

    /**
     * Validates and submits a revision.
     *
     * @return the receiver's submission id (32 alphanumerics), for {@link #status(String)}
     * @throws InvalidKcidbPayloadException naming the faulty fields; nothing was sent
     * @throws HttpCallException            when the receiver refused it (401: the JWT is rejected) or could not be
     *                                      reached after the retries
     */
    public String submit(JsonNode revision) {
        KcidbValidator.requireValid(revision);
        String body;
        try {
            body = mapper.writeValueAsString(revision);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the KCIDB revision: " + e.getOriginalMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.submitUrl())
                .header("Authorization", "Bearer " + settings.jwt())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> response = send(request);
        JsonNode answer = parse(response, "POST " + settings.submitUrl());
        String id = answer.path("id").asText("");
        if (!"ok".equals(answer.path("status").asText()) || id.isEmpty() || "0".equals(id)) {
            throw new HttpCallException(scrub(SERVICE + " POST " + settings.submitUrl()
                    + " answered HTTP " + response.statusCode() + " without a submission id: " + abbreviate(answer)),
                    response.statusCode(), null);
        }
        LOG.info("KCIDB accepted submission {} ({} tests, {} bytes, origin {})", id,
                revision.path("tests").size(), body.getBytes(StandardCharsets.UTF_8).length, settings.origin());
        return id;
    }

    /**
     * Where a submission stands. An unknown id (HTTP 404) is {@link SubmissionStatus#NOTFOUND}, not an error.
     *
     * @throws HttpCallException when the receiver refused the question (401, 400) or could not be reached
     */
    public SubmissionStatus status(String submissionId) {
        Objects.requireNonNull(submissionId, "submissionId");
        URI uri = URI.create(settings.baseUrl() + "/status?id="
                + URLEncoder.encode(submissionId, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + settings.jwt())
                .GET();
        HttpResponse<String> response;
        try {
            response = send(request);
        } catch (HttpCallException e) {
            if (e.status().orElse(0) == 404) {
                return SubmissionStatus.NOTFOUND;
            }
            throw e;
        }
        JsonNode answer = parse(response, "GET " + uri);
        String status = answer.path("status").asText("");
        return SubmissionStatus.fromWireName(status).orElseThrow(() -> new HttpCallException(
                scrub(SERVICE + " GET " + uri + " answered an unknown status: " + abbreviate(answer)),
                response.statusCode(), null));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request, MAX_ANSWER_BYTES);
        } catch (HttpCallException e) {
            if (e.status().orElse(0) == 401) {
                throw new HttpCallException(scrub("KCIDB rejected the JWT (HTTP 401) for origin " + settings.origin()
                        + ": it must be HS256, signed with the kcidb-restd-rs secret, unexpired, with an origin "
                        + "claim and no aud claim; set KCIDB_JWT (or KCIDB_REST / UNIFIED_TOKEN). " + e.getMessage()),
                        e.failure(), 401, leaksJwt(e) ? e.getCause() : e);
            }
            if (leaksJwt(e)) {
                throw new HttpCallException(scrub(e.getMessage()), e.failure(), e.status().orElse(0), e.getCause());
            }
            throw e;
        }
    }

    private JsonNode parse(HttpResponse<String> response, String what) {
        try {
            JsonNode json = mapper.readTree(response.body());
            if (json != null && json.isObject()) {
                return json;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new HttpCallException(scrub(SERVICE + " " + what + " answered HTTP " + response.statusCode()
                + " with a body that is not a JSON object: " + abbreviate(response.body())), response.statusCode(),
                null);
    }

    private boolean leaksJwt(Exception e) {
        return e.getMessage() != null && e.getMessage().contains(settings.jwt());
    }

    /** Belt and braces: no message leaves this class with the JWT in it, whatever a server echoed. */
    private String scrub(String message) {
        return message == null ? null : message.replace(settings.jwt(), "<redacted>");
    }

    private static String abbreviate(Object value) {
        String text = String.valueOf(value);
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
