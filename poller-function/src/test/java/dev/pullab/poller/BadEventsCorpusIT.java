package dev.pullab.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.poll.Cursor;
import dev.pullab.core.job.JobTicket;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.PollerTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The bad-events corpus ({@code bad-input/events/}): each file is what {@code GET /events} answers, served to the
 * real {@link PollHandler} (cursor and jobs tables and the FIFO jobs queue on the AWS emulator). A small feed server
 * on loopback answers {@code /events} with the file (filtered by {@code from} when it is a JSON array, as the API
 * does) and passes every other call (node reads, claims) to the KernelCI API double.
 */
class BadEventsCorpusIT {

    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "maestro-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final PollerTables aws = PollerTables.create(AwsEmulator.get().client(DynamoDbClient.builder()),
            AwsEmulator.get().client(SqsClient.builder()));
    private final AtomicInteger pageReads = new AtomicInteger();
    private volatile byte[] page = new byte[0];
    private final HttpServer feed = feedServer();
    private final PollHandler handler = new PollHandler(new PollerSettings(
            URI.create("http://127.0.0.1:" + feed.getAddress().getPort() + "/latest"), Optional.of(TOKEN), RUNTIME,
            Set.of(), 30, 100, Optional.of(aws.cursorTable()), Optional.of(aws.jobsTable()),
            Optional.of(aws.queueUrl())), aws.dynamo(), aws.sqs(),
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)));

    @AfterEach
    void stop() {
        feed.stop(0);
        api.close();
    }

    static Stream<BadInputCorpus.Case> events() {
        return BadInputCorpus.stream("events");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    @DisplayName("a bad /events answer: a clear error with nothing touched, or the bad events skipped and the rest taken")
    void givenBadEventsPage_whenPolled_thenClearErrorOrSkipped(BadInputCorpus.Case events) {
        page = events.bytes();
        events.spec().path("nodes").forEach(n -> api.putNode(KernelCiFixtures.job(KernelCiFixtures.nodeId(n.asInt()),
                RUNTIME, "qemu-x86_64")));

        if (events.required("expect").equals("error")) {
            for (int invocation = 1; invocation <= 2; invocation++) {
                assertThatThrownBy(() -> handler.handleRequest(Map.of(), new LambdaContext(60_000)))
                        .isInstanceOf(HttpCallException.class)
                        .satisfies(e -> events.strings("message").forEach(part -> assertThat(e)
                                .hasMessageContaining(part)));
                assertThat(pageReads.get()).as("page reads after invocation %d", invocation).isEqualTo(invocation);
            }
            assertThat(aws.cursors().read(RUNTIME)).isEqualTo(Cursor.initial());
            assertThat(api.requests()).filteredOn(r -> r.method().equals("PATCH")).isEmpty();
            assertThat(aws.receiveAll()).isEmpty();
            return;
        }

        Map<String, Object> first = handler.handleRequest(Map.of(), new LambdaContext(60_000));
        Map<String, Object> second = handler.handleRequest(Map.of(), new LambdaContext(60_000));

        List<String> expected = StreamSupport.stream(events.spec().path("queued").spliterator(), false)
                .map(n -> KernelCiFixtures.nodeId(n.asInt())).toList();
        assertThat(first).containsEntry("malformed_events", events.number("malformed", -1))
                .containsEntry("jobs_queued", expected)
                .containsEntry("cursor", events.required("cursor"))
                .containsEntry("caught_up", true);
        assertThat(second.get("jobs_queued")).as("queued by a second invocation").isEqualTo(List.of());
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactlyElementsOf(expected);
        assertThat(api.requests()).filteredOn(r -> r.method().equals("PATCH")).as("claims")
                .hasSize(expected.size());
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private HttpServer feedServer() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (exchange.getRequestURI().getPath().endsWith("/events")) {
                        pageReads.incrementAndGet();
                        respond(exchange, 200, answer(exchange.getRequestURI().getRawQuery()));
                    } else {
                        forward(client, exchange);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page, without the events at or before {@code from} when it is a JSON array (the API's strict from). */
    private byte[] answer(String query) {
        Optional<LocalDateTime> from = Stream.of(query == null ? new String[0] : query.split("&"))
                .filter(p -> p.startsWith("from="))
                .map(p -> LocalDateTime.parse(URLDecoder.decode(p.substring(5), StandardCharsets.UTF_8)))
                .findFirst();
        JsonNode events;
        try {
            events = JSON.readTree(page);
        } catch (IOException e) {
            return page;
        }
        if (from.isEmpty() || events == null || !events.isArray()) {
            return page;
        }
        ArrayNode later = JSON.createArrayNode();
        for (JsonNode event : events) {
            Optional<LocalDateTime> time = time(event);
            if (time.isEmpty() || time.get().isAfter(from.get())) {
                later.add(event);
            }
        }
        return later.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<LocalDateTime> time(JsonNode event) {
        try {
            return Optional.of(LocalDateTime.parse(event.path("timestamp").asText()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private void forward(HttpClient client, HttpExchange exchange) throws IOException, InterruptedException {
        URI target = URI.create(api.baseUri().toString().replace("/latest", "")
                + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : List.of("Authorization", "Content-Type", "Accept")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        respond(exchange, response.statusCode(), response.body());
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
