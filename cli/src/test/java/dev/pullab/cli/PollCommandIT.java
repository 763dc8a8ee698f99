package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.job.JobTicket;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.HostileServer;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.PollerTables;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code pullab poll} run from the shaded jar against the KernelCI API double (and the AWS emulator). */
class PollCommandIT {

    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "cli-test-token";

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        api.close();
    }

    private List<String> kernelciEnv() {
        return new ArrayList<>(List.of("KERNELCI_API_BASE_URI=" + api.baseUri(), "KERNELCI_RUNTIME_NAME=" + RUNTIME));
    }

    @Test
    @DisplayName("poll --once --dry-run --json prints the jobs found, in event order, and claims nothing")
    void givenJobs_whenDryRunJson_thenJobsInEventOrderAndNothingClaimed() throws Exception {
        String second = KernelCiFixtures.nodeId(2);
        String first = KernelCiFixtures.nodeId(1);
        api.addJob(KernelCiFixtures.job(second, RUNTIME, "qemu-arm64"), "2026-05-20T10:00:01");
        api.addJob(KernelCiFixtures.job(first, RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:02");
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(3), "pull-labs-demo", "qemu-x86_64"),
                "2026-05-20T10:00:03");

        JarRun run = JarRun.run(dir, kernelciEnv(), "poll", "--once", "--dry-run", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode jobs = new ObjectMapper().readTree(run.out());
        assertThat(jobs).extracting(j -> j.get("node_id").asText()).containsExactly(second, first);
        assertThat(jobs.get(0).get("platform").asText()).isEqualTo("qemu-arm64");
        assertThat(jobs.get(0).get("name").asText()).isEqualTo("baseline-x86-pull-labs-demo");
        assertThat(jobs.get(0).get("job_definition").asText()).endsWith(second + ".json");
        assertThat(api.requests()).extracting(KernelCiApiDouble.RecordedRequest::method).containsOnly("GET");
    }

    @Test
    @DisplayName("poll --once claims and queues through DynamoDB and SQS")
    void givenJobs_whenPolledLive_thenClaimedAndQueued() throws Exception {
        AwsEmulator aws = AwsEmulator.get();
        PollerTables tables = PollerTables.create(aws.client(DynamoDbClient.builder()), aws.client(SqsClient.builder()));
        String job = KernelCiFixtures.nodeId(7);
        api.addJob(KernelCiFixtures.job(job, RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
        List<String> env = kernelciEnv();
        env.add("KERNELCI_API_TOKEN=" + TOKEN);
        env.add("PULLAB_CURSOR_TABLE=" + tables.cursorTable());
        env.add("PULLAB_JOBS_TABLE=" + tables.jobsTable());
        env.add("PULLAB_JOBS_QUEUE_URL=" + tables.queueUrl());
        aws.environment().forEach((k, v) -> env.add(k + "=" + v));

        JarRun run = JarRun.run(dir, env, "poll", "--once");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(tables.receiveAll()).extracting(JobTicket::nodeId).containsExactly(job);
        assertThat(api.node(job).orElseThrow().at("/data/job_id").asText()).startsWith(RUNTIME + ":");
        assertThat(run.err()).contains("1 queued");
    }

    @Test
    @DisplayName("a missing runtime name fails with pullab_cloud's message and exit 2")
    void givenNoRuntime_whenPolled_thenMissingConfiguration() throws Exception {
        JarRun run = JarRun.run(dir, List.of("KERNELCI_API_BASE_URI=" + api.baseUri()), "poll", "--once",
                "--dry-run");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required configuration: kernelci.runtime_name");
    }

    @Test
    @DisplayName("an unreachable API fails with exit 1 and a message naming it")
    void givenApiDown_whenPolled_thenExitOne() throws Exception {
        List<String> env = List.of("KERNELCI_API_BASE_URI=http://127.0.0.1:9/latest",
                "KERNELCI_RUNTIME_NAME=" + RUNTIME);

        JarRun run = JarRun.run(dir, env, "poll", "--once", "--dry-run");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("KernelCI API GET http://127.0.0.1:9/latest/events");
    }

    @Test
    @DisplayName("AWS refusing access fails with exit 1 and one line naming the service and the code, no stack trace")
    void givenAccessDenied_whenPolledLive_thenOneLineExitOne() throws Exception {
        try (HostileServer aws = HostileServer.start(HostileServer.status(400,
                Map.of("x-amzn-ErrorType", "AccessDeniedException"),
                "{\"__type\": \"com.amazonaws.dynamodb.v20120810#AccessDeniedException\", \"message\": \"User: "
                        + "arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:GetItem\"}"))) {
            api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(8), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
            List<String> env = liveEnv(aws.uri(""));
            env.add("AWS_ACCESS_KEY_ID=AKIAEXAMPLE");
            env.add("AWS_SECRET_ACCESS_KEY=not-a-real-secret");

            JarRun run = JarRun.run(dir, env, "poll", "--once");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("error: AWS DynamoDb refused the request (HTTP 400 AccessDeniedException): "
                    + "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:GetItem")
                    .doesNotContain("\tat ").doesNotContain("not-a-real-secret");
        }
    }

    @Test
    @DisplayName("no AWS credentials fails with exit 1 and one line telling how to provide them, no stack trace")
    void givenNoCredentials_whenPolledLive_thenOneLineExitOne() throws Exception {
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(9), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
        List<String> env = liveEnv(URI.create("http://127.0.0.1:9"));
        env.add("AWS_EC2_METADATA_DISABLED=true");
        env.add("HOME=" + dir);

        JarRun run = JarRun.run(dir, env, "poll", "--once");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("error: no AWS credentials found: set AWS_ACCESS_KEY_ID")
                .doesNotContain("\tat ");
    }

    /** The live poller's configuration with AWS at {@code endpoint}. */
    private List<String> liveEnv(URI endpoint) {
        List<String> env = kernelciEnv();
        env.add("KERNELCI_API_TOKEN=" + TOKEN);
        env.add("PULLAB_CURSOR_TABLE=pullab-cursor");
        env.add("PULLAB_JOBS_TABLE=pullab-jobs");
        env.add("PULLAB_JOBS_QUEUE_URL=" + endpoint + "/123456789012/pullab-jobs.fifo");
        env.add("AWS_REGION=us-east-1");
        env.add("AWS_ENDPOINT_URL=" + endpoint);
        return env;
    }
}
