package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.Ec2Launcher;
import dev.pullab.core.launch.LaunchSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The bad job-definition corpus ({@code bad-input/jobdefs/}, expectations in its {@code cases.json}): each claimed
 * job reaches the real {@link JobsQueueHandler} as a jobs-queue message, with its definition served over HTTP on
 * loopback, the orchestrator on the AWS emulator and the KernelCI API double. A job that cannot run is finished
 * {@code incomplete} with KernelCI's error code and a message naming the problem, nothing is uploaded or launched,
 * and the message is consumed rather than retried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobDefinitionCorpusIT {

    private static final String TOKEN = "orchestrator-token";
    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofSeconds(5));

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final EcsClient ecs = aws.client(EcsClient.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String results = aws.createBucket("results");
    private final String cluster = ecs.createCluster(b -> b.clusterName("pullab-qemu-" + suffix)).cluster()
            .clusterName();
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final Map<String, Served> definitions = new ConcurrentHashMap<>();
    private final HttpServer files = serve(definitions);
    private final AtomicInteger nextNode = new AtomicInteger(3000);

    private JobsQueueHandler handler;

    private record Served(byte[] body, boolean chunked) {
    }

    @BeforeAll
    void orchestrator(@TempDir Path dir) throws IOException {
        Path lab = dir.resolve("lab.json");
        Files.writeString(lab, """
                {"platforms": {
                   "qemu-x86_64": {"executor": "ec2", "arch": "x86_64",
                     "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                     "instance_type": "m5.large", "vm_count": 2, "max_runtime": 3600},
                   "qemu-arm64": {"executor": "fargate", "arch": "arm64"},
                   "exynos850-e850-96": {"executor": "ec2", "arch": "arm64",
                     "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                     "instance_type": "m7g.large", "vm_count": 1, "max_runtime": 5400}},
                 "job_definitions": {"allowed_hosts": ["http://127.0.0.1"], "max_bytes": 65536}}
                """);
        OrchestratorSettings settings = new OrchestratorSettings(results, Optional.empty(),
                aws.createTable("pullab-runs-" + suffix, "run_id"),
                aws.createTable("pullab-launches-" + suffix, "launch_id"),
                Optional.of(lab.toString()),
                new LaunchSettings(aws.region().id(), results, Optional.empty(), List.of(), List.of(), 3600,
                        Optional.of(cluster), Optional.of("qemu-runner-" + suffix)),
                Optional.of(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN))));
        handler = new JobsQueueHandler(OrchestratorAssembly.create(settings, new OrchestratorAssembly.Clients(s3,
                dynamo, ec2, aws.client(SsmClient.builder()), ecs), FAST, Clock.systemUTC()));
    }

    @AfterAll
    void stop() {
        api.close();
        files.stop(0);
    }

    static Stream<BadInputCorpus.Case> jobDefinitions() {
        return BadInputCorpus.stream("jobdefs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobDefinitions")
    @DisplayName("a job that cannot run: finished incomplete with the code and the problem, nothing launched, "
            + "the message consumed")
    void givenUnusableJobDefinition_whenQueued_thenIncompleteNothingLaunchedMessageConsumed(BadInputCorpus.Case job) {
        String node = KernelCiFixtures.nodeId(nextNode.incrementAndGet());
        String platform = job.string("platform").orElse("qemu-x86_64");
        api.putNode(KernelCiFixtures.job(node, RUNTIME, platform));
        String url = job.string("url").map(u -> u.replace("{server}", server())).orElseGet(() -> {
            definitions.put("/" + node + ".json", new Served(job.bytes(), job.flag("chunked")));
            return server() + "/" + node + ".json";
        });
        JobTicket ticket = new JobTicket(node, "job-" + node, RUNTIME, platform, "", url,
                "6825f3a1b4e0b1c9d2a7e001", RUNTIME + ":claim-" + node, "event-" + node,
                "2026-05-20T10:15:30.431000");

        SQSBatchResponse response = handler.handleRequest(batch(JobTicketJson.write(ticket)), null);

        assertThat(response.getBatchItemFailures()).as("batch item failures (retried by SQS)").isEmpty();
        ObjectNode finished = api.node(node).orElseThrow();
        assertThat(finished.get("state").asText()).isEqualTo("done");
        assertThat(finished.get("result").asText()).isEqualTo("incomplete");
        assertThat(finished.at("/data/error_code").asText()).isEqualTo(job.required("code"));
        String message = finished.at("/data/error_msg").asText();
        job.strings("message").forEach(part -> assertThat(message).contains(part));
        job.strings("absent").forEach(part -> assertThat(message).doesNotContain(part));
        assertThat(message.length()).isLessThanOrEqualTo(job.number("max_message_chars", 1000));
        assertThat(ec2.describeInstances(b -> b.filters(f -> f.name("tag:" + VmTags.JOB_NODE).values(node)))
                .reservations()).as("EC2 instances of the job").isEmpty();
        assertThat(ecs.listTasks(b -> b.cluster(cluster)).taskArns()).as("QEMU tasks").isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(results).prefix("run_pulllab-" + node)).contents())
                .as("uploaded payloads").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private String server() {
        return "http://127.0.0.1:" + files.getAddress().getPort();
    }

    private static SQSEvent batch(String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId("m-" + UUID.randomUUID());
        message.setBody(body);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    private static HttpServer serve(Map<String, Served> files) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (exchange.getRequestURI().getPath().equals("/redirect")) {
                        // {server}/redirect?<url>: a 302 to <url>, as a compromised or careless file server might
                        exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getRawQuery());
                        exchange.sendResponseHeaders(302, -1);
                        return;
                    }
                    Served served = files.get(exchange.getRequestURI().getPath());
                    if (served == null) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    // chunked: no Content-Length, the size is only known by reading
                    exchange.sendResponseHeaders(200, served.chunked() ? 0 : served.body().length == 0 ? -1
                            : served.body().length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(served.body());
                    } catch (IOException cancelled) {
                        // the client stopped reading past max_bytes
                    }
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
