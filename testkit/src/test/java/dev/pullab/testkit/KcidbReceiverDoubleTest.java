package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KcidbReceiverDouble: kcidb-restd-rs's protocol and JWT checks")
class KcidbReceiverDoubleTest {

    private static final String SECRET = "receiver-secret";
    private static final Instant NOW = Instant.parse("2026-05-20T10:00:00Z");
    private static final String VALID_REVISION = "{\"version\":{\"major\":5,\"minor\":3},\"tests\":[{\"id\":\"lab:1\","
            + "\"build_id\":\"maestro:1\",\"origin\":\"lab\"}]}";

    private final KcidbReceiverDouble receiver = KcidbReceiverDouble.start(SECRET, Clock.fixed(NOW, ZoneOffset.UTC),
            KcidbReceiverDoubleTest::requiresVersion);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @AfterEach
    void stop() {
        receiver.close();
    }

    private static Map<String, Object> claims(Object... keysAndValues) {
        Map<String, Object> claims = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            claims.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return claims;
    }

    private static String token(Object... keysAndValues) {
        return KcidbReceiverDouble.jwt(SECRET, claims(keysAndValues));
    }

    private static String validToken() {
        return token("origin", "lab", "exp", NOW.getEpochSecond() + 3600);
    }

    private HttpResponse<String> submit(String authorization, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(receiver.submitUrl())
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> status(String authorization, String query) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/status" + query))
                .header("Authorization", authorization).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws IOException {
        return mapper.readTree(response.body());
    }

    private String rejection(String authorization) throws IOException, InterruptedException {
        HttpResponse<String> response = submit(authorization, VALID_REVISION);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("id").asText()).isEqualTo("0");
        assertThat(json(response).get("status").asText()).isEqualTo("error");
        return json(response).get("message").asText();
    }

    @Test
    @DisplayName("a valid submission gets 200 with a 32-character id and the size message")
    void validSubmissionAccepted() throws Exception {
        HttpResponse<String> response = submit("Bearer " + validToken(), VALID_REVISION);

        JsonNode answer = json(response);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(answer.get("status").asText()).isEqualTo("ok");
        assertThat(answer.get("id").asText()).matches("[A-Za-z0-9]{32}");
        assertThat(answer.get("message").asText()).isEqualTo("Received submission " + answer.get("id").asText()
                + " with size " + VALID_REVISION.length() + " bytes");
    }

    @Test
    @DisplayName("a submission is stored with the token's origin and its schema verdict")
    void submissionRecorded() throws Exception {
        submit("Bearer " + validToken(), VALID_REVISION);

        assertThat(receiver.submissions()).singleElement().satisfies(s -> {
            assertThat(s.tokenOrigin()).isEqualTo("lab");
            assertThat(s.valid()).isTrue();
            assertThat(s.body()).isEqualTo(mapper.readTree(VALID_REVISION));
        });
    }

    @Test
    @DisplayName("JSON that breaks the schema is accepted, as upstream, but recorded as invalid")
    void schemaInvalidRecorded() throws Exception {
        HttpResponse<String> response = submit("Bearer " + validToken(), "{\"tests\":[]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(receiver.allSubmissionsValid()).isFalse();
        assertThat(receiver.submissions().get(0).schemaProblems()).singleElement().asString()
                .contains("required property 'version'");
    }

    @Test
    @DisplayName("a body that is not JSON gets 400")
    void nonJsonRejected() throws Exception {
        HttpResponse<String> response = submit("Bearer " + validToken(), "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(receiver.submissions()).isEmpty();
    }

    @Test
    @DisplayName("no Authorization header: 401 JWT is required")
    void missingAuthorization() throws Exception {
        assertThat(rejection(null)).isEqualTo("JWT is required");
    }

    @Test
    @DisplayName("an Authorization header of one word: 401 Missing or invalid JWT (Bearer)")
    void oneWordAuthorization() throws Exception {
        assertThat(rejection(validToken())).isEqualTo("Missing or invalid JWT (Bearer)");
    }

    @Test
    @DisplayName("the token is the second word, whatever the first")
    void anySchemeWord() throws Exception {
        assertThat(submit("Token " + validToken(), VALID_REVISION).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a token signed with another secret: InvalidSignature")
    void wrongSecret() throws Exception {
        String token = KcidbReceiverDouble.jwt("other", claims("origin", "lab", "exp", NOW.getEpochSecond() + 60));

        assertThat(rejection("Bearer " + token)).isEqualTo("InvalidSignature");
    }

    @Test
    @DisplayName("an HS512 token: InvalidAlgorithm (HS256 only)")
    void otherAlgorithm() throws Exception {
        String token = KcidbReceiverDouble.jwt(SECRET, "HS512", claims("origin", "lab", "exp",
                NOW.getEpochSecond() + 60));

        assertThat(rejection("Bearer " + token)).isEqualTo("InvalidAlgorithm");
    }

    @Test
    @DisplayName("a token without exp: Missing required claim: exp")
    void missingExp() throws Exception {
        assertThat(rejection("Bearer " + token("origin", "lab"))).isEqualTo("Missing required claim: exp");
    }

    @Test
    @DisplayName("a token expired more than 60 s ago: ExpiredSignature")
    void expiredBeyondLeeway() throws Exception {
        assertThat(rejection("Bearer " + token("origin", "lab", "exp", NOW.getEpochSecond() - 61)))
                .isEqualTo("ExpiredSignature");
    }

    @Test
    @DisplayName("a token expired less than 60 s ago is still accepted (leeway)")
    void expiredWithinLeeway() throws Exception {
        String token = token("origin", "lab", "exp", NOW.getEpochSecond() - 60);

        assertThat(submit("Bearer " + token, VALID_REVISION).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a token with an aud claim: InvalidAudience")
    void audienceRejected() throws Exception {
        String token = token("origin", "lab", "exp", NOW.getEpochSecond() + 60, "aud", List.of("fastapi-users:auth"));

        assertThat(rejection("Bearer " + token)).isEqualTo("InvalidAudience");
    }

    @Test
    @DisplayName("a token without an origin claim is rejected")
    void missingOrigin() throws Exception {
        assertThat(rejection("Bearer " + token("exp", NOW.getEpochSecond() + 60))).contains("origin");
    }

    @Test
    @DisplayName("a garbled token: InvalidToken")
    void garbledToken() throws Exception {
        assertThat(rejection("Bearer not-a-jwt")).isEqualTo("InvalidToken");
    }

    @Test
    @DisplayName("an empty secret disables authentication, as upstream")
    void emptySecretDisablesAuth() throws Exception {
        try (KcidbReceiverDouble open = KcidbReceiverDouble.start("", KcidbReceiverDoubleTest::requiresVersion)) {
            HttpRequest request = HttpRequest.newBuilder(open.submitUrl())
                    .POST(HttpRequest.BodyPublishers.ofString(VALID_REVISION)).build();

            assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(open.submissions()).singleElement()
                    .satisfies(s -> assertThat(s.tokenOrigin()).isEqualTo("none"));
        }
    }

    @Test
    @DisplayName("status of a stored id is ready")
    void statusReady() throws Exception {
        String id = json(submit("Bearer " + validToken(), VALID_REVISION)).get("id").asText();

        HttpResponse<String> response = status("Bearer " + validToken(), "?id=" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("status").asText()).isEqualTo("ready");
    }

    @Test
    @DisplayName("status of an unknown id is 404 notfound")
    void statusNotFound() throws Exception {
        HttpResponse<String> response = status("Bearer " + validToken(), "?id=abc123");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("status").asText()).isEqualTo("notfound");
    }

    @Test
    @DisplayName("status of a non-alphanumeric id is 400 Invalid id")
    void statusInvalidId() throws Exception {
        HttpResponse<String> response = status("Bearer " + validToken(), "?id=..%2Fetc");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).isEqualTo("Invalid id");
    }

    @Test
    @DisplayName("status requires authentication")
    void statusNeedsAuth() throws Exception {
        assertThat(status("Bearer nope", "?id=abc").statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("failNext answers the next requests with the status, then recovers")
    void faultInjection() throws Exception {
        receiver.failNext(2, 502);

        assertThat(submit("Bearer " + validToken(), VALID_REVISION).statusCode()).isEqualTo(502);
        assertThat(submit("Bearer " + validToken(), VALID_REVISION).statusCode()).isEqualTo(502);
        assertThat(submit("Bearer " + validToken(), VALID_REVISION).statusCode()).isEqualTo(200);
        assertThat(receiver.requestCount("POST", "/submit")).isEqualTo(3);
    }

    /** A stand-in for pullab's schema check (the double takes any): a revision must have a {@code version}. */
    private static List<String> requiresVersion(JsonNode revision) {
        return revision.has("version") ? List.of() : List.of("$: required property 'version' not found");
    }
}
