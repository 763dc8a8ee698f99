package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.pullab.core.aws.DynamoDbRunStore;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.plan.RunRecord;
import dev.pullab.core.poll.JobTicket;
import dev.pullab.core.poll.JobTicketJson;
import dev.pullab.core.testing.AwsEmulator;
import dev.pullab.core.testing.KernelCiApiDouble;
import dev.pullab.core.testing.KernelCiFixtures;
import dev.pullab.orchestrator.launch.Ec2Launcher;
import dev.pullab.orchestrator.launch.LaunchSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The orchestrator against real components: S3, DynamoDB, EC2, SSM and ECS on the AWS emulator, the KernelCI API
 * double, and job definitions served over HTTP on loopback.
 */
class OrchestratorIT {

    private static final String TOKEN = "orchestrator-token";
    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofSeconds(3));

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final EcsClient ecs = aws.client(EcsClient.builder());
    private final SsmClient ssm = aws.client(SsmClient.builder());
    private final String results = aws.createBucket("results");
    private final String storage = aws.createBucket("storage");
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String runsTable = table("pullab-runs-" + suffix, "run_id");
    private final String launchesTable = table("pullab-launches-" + suffix, "launch_id");
    private final String cluster = ecs.createCluster(b -> b.clusterName("pullab-qemu-" + suffix)).cluster()
            .clusterName();
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final Map<String, byte[]> definitions = new ConcurrentHashMap<>();
    private final HttpServer files = serve(definitions);
    private final String securityGroup = ec2.createSecurityGroup(b -> b.groupName("pullab-" + suffix)
            .description("pullab test VMs")).groupId();
    private final String subnet = ec2.describeSubnets().subnets().get(0).subnetId();
    private final String instanceProfile = instanceProfile("pullab-test-vm-" + suffix);

    @TempDir
    Path dir;

    private Orchestrator orchestrator;

    private Orchestrator orchestrator() throws IOException {
        if (orchestrator == null) {
            String taskDefinition = ecs.registerTaskDefinition(b -> b.family("qemu-runner-" + suffix)
                    .requiresCompatibilities(Compatibility.FARGATE).networkMode(NetworkMode.AWSVPC).cpu("1024")
                    .memory("2048")
                    // moto's RunTask needs a container-level memory: a workaround for the emulator only
                    .containerDefinitions(c -> c.name("qemu-runner").image("pullab/qemu-runner:test").memory(2048)))
                    .taskDefinition().taskDefinitionArn();
            Path lab = dir.resolve("lab.json");
            Files.writeString(lab, labConfig());
            OrchestratorSettings settings = new OrchestratorSettings(results, Optional.of(storage), runsTable,
                    launchesTable, Optional.of(lab.toString()),
                    new LaunchSettings(aws.region().id(), results, Optional.of(instanceProfile), List.of(subnet),
                            List.of(securityGroup), 3600, Optional.of(cluster), Optional.of(taskDefinition)),
                    Optional.of(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN))));
            orchestrator = OrchestratorAssembly.create(settings,
                    new OrchestratorAssembly.Clients(s3, dynamo, ec2, ssm, ecs), FAST, Clock.systemUTC());
        }
        return orchestrator;
    }

    private String labConfig() {
        return """
                {"platforms": {
                   "qemu-x86_64": {"executor": "ec2", "arch": "x86_64",
                     "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                     "instance_type": "m5.large", "vm_count": 2, "max_runtime": 3600},
                   "qemu-arm64": {"executor": "fargate", "arch": "arm64"},
                   "exynos850-e850-96": {"executor": "ec2", "arch": "arm64",
                     "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                     "instance_type": "m7g.large", "vm_count": 1, "max_runtime": 5400}},
                 "job_definitions": {"allowed_hosts": ["http://127.0.0.1"], "max_bytes": 65536}}
                """;
    }

    @AfterEach
    void stop() {
        api.close();
        files.stop(0);
    }

    // ------------------------------------------------------------------------------------------------ fixture jobs

    @Test
    @DisplayName("the baseline x86_64 job launches its VMs with tags, IMDSv2, terminate-on-shutdown and user-data")
    void givenBaselineJob_whenRun_thenVmsLaunchedAndRecorded() throws Exception {
        JobTicket ticket = ticket(1, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        String prefix = outcome.plan().orElseThrow().runPrefix();
        List<Instance> vms = instancesOfJob(ticket.nodeId());
        assertThat(vms).hasSize(2).allSatisfy(vm -> {
            assertThat(tags(vm)).containsEntry(Ec2Launcher.TAG_RUN, prefix).containsEntry(Ec2Launcher.TAG_LAB, "true")
                    .containsEntry(Ec2Launcher.TAG_TEST, "kernelci-boot")
                    .containsEntry(Ec2Launcher.TAG_JOB_NODE, ticket.nodeId());
            assertThat(vm.instanceTypeAsString()).isEqualTo("m5.large");
            assertThat(vm.imageId()).isEqualTo(ssm.getParameter(b -> b.name(
                    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")).parameter().value());
            assertThat(vm.metadataOptions().httpTokensAsString()).isEqualTo("required");
        });
        String userData = new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(b -> b
                .instanceId(vms.get(0).instanceId()).attribute("userData")).userData().value()), StandardCharsets.UTF_8);
        assertThat(userData).contains("s3://" + results + "/" + prefix + "/test-vm-client.sh")
                .contains("install --bucket '" + results + "' --run-prefix '" + prefix + "' --test 'kernelci-boot'");
        assertThat(ec2.describeInstanceAttribute(b -> b.instanceId(vms.get(0).instanceId())
                .attribute("instanceInitiatedShutdownBehavior")).instanceInitiatedShutdownBehavior().value())
                .isEqualTo("terminate");
        RunRecord run = new DynamoDbRunStore(dynamo, runsTable).find(prefix).orElseThrow();
        assertThat(run.state()).isEqualTo(RunRecord.RunState.RUNNING);
        assertThat(run.expectedVms()).isEqualTo(2);
        assertThat(run.instanceIds()).containsExactlyInAnyOrderElementsOf(vms.stream().map(Instance::instanceId)
                .toList());
        assertThat(run.jobNodeId()).contains(ticket.nodeId());
        assertThat(run.kernels()).singleElement().satisfies(k -> assertThat(k).startsWith("https://"));
        assertThat(run.deadline()).isGreaterThan(run.createdAt() + 3600);
    }

    @Test
    @DisplayName("the run's payload holds the test, the client and params.env with the job's artifacts")
    void givenBaselineJob_whenRun_thenPayloadUploaded() throws Exception {
        JobTicket ticket = ticket(2, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");

        String prefix = orchestrator().runJob(ticket).plan().orElseThrow().runPrefix();

        assertThat(prefix).startsWith("run_pulllab-" + ticket.nodeId() + "-");
        Map<String, String> zip = unzip(s3.getObjectAsBytes(b -> b.bucket(results)
                .key(prefix + "/test_kernelci-boot/input/kernelci-boot_test_payload.zip")).asByteArray());
        assertThat(zip).containsKeys("run-01-install-kernel.sh", "test-vm-client.sh", "params.env", "params.json",
                "lib/results.sh");
        assertThat(zip.get("params.env")).contains("PULLAB_KERNEL_URL='https://").contains("PULLAB_TEST_TYPE='boot'")
                .contains("PULLAB_JOB_NODE_ID='" + ticket.nodeId() + "'");
        assertThat(s3.headObject(b -> b.bucket(results).key(prefix + "/test-vm-client.sh")).contentLength())
                .isPositive();
    }

    @Test
    @DisplayName("the LTP job on qemu-arm64 becomes a Fargate task of the QEMU runner with the job's parameters")
    void givenQemuJob_whenRun_thenFargateTask() throws Exception {
        JobTicket ticket = ticket(3, "pull_labs_jobdef_ltp_smoke_qemu_arm64.json", "qemu-arm64");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(outcome.instances()).singleElement().satisfies(arn -> assertThat(arn).contains(":task/"));
        var task = ecs.describeTasks(b -> b.cluster(cluster).tasks(outcome.instances())).tasks().get(0);
        Map<String, String> env = new HashMap<>();
        task.overrides().containerOverrides().get(0).environment().forEach(kv -> env.put(kv.name(), kv.value()));
        assertThat(env).containsEntry("TEST_NAME", "kernelci-ltp")
                .containsEntry("RUN_PREFIX", outcome.plan().orElseThrow().runPrefix())
                .containsEntry("PULLAB_LTP_CMDFILES", "smoketest");
        assertThat(instancesOfJob(ticket.nodeId())).isEmpty();
    }

    @Test
    @DisplayName("the kselftest job on an arm64 board runs on an arm64 EC2 VM with its collection")
    void givenKselftestJob_whenRun_thenArmVm() throws Exception {
        JobTicket ticket = ticket(4, "pull_labs_jobdef_kselftest_arm64_dtb.json", "exynos850-e850-96");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(instancesOfJob(ticket.nodeId())).singleElement().satisfies(vm -> {
            assertThat(vm.instanceTypeAsString()).isEqualTo("m7g.large");
            assertThat(tags(vm)).containsEntry(Ec2Launcher.TAG_TEST, "kernelci-kselftest");
        });
        assertThat(outcome.plan().orElseThrow().groups().get(0).test().params())
                .containsEntry("PULLAB_KSELFTEST_COLLECTION", "arm64");
    }

    @Test
    @DisplayName("the same job delivered three times launches one set of VMs")
    void givenSameJobThreeTimes_whenRun_thenOneLaunchSet() throws Exception {
        JobTicket ticket = ticket(5, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");

        List<String> first = orchestrator().runJob(ticket).instances();
        List<String> second = orchestrator().runJob(ticket).instances();
        List<String> third = orchestrator().runJob(ticket).instances();

        assertThat(instancesOfJob(ticket.nodeId())).hasSize(2);
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
    }

    // ------------------------------------------------------------------------------------------- jobs that cannot run

    /** A malformed definition: KernelCI generated a bad job. */
    private static final String GENERATION = "job_generation_error";
    /** A well-formed definition this lab cannot run. */
    private static final String PARAMS = "invalid_job_params";

    static Stream<Arguments> unusableJobs() {
        return Stream.of(
                Arguments.of("not JSON", "{this is not json", "qemu-x86_64", "JSON", GENERATION),
                Arguments.of("a JSON array", "[1, 2]", "qemu-x86_64", "object", GENERATION),
                Arguments.of("no tests", withTests("[]"), "qemu-x86_64", "test", GENERATION),
                Arguments.of("unknown test type", withTests("[{\"id\": \"t1\", \"type\": \"fuzz\"}]"), "qemu-x86_64",
                        "fuzz", PARAMS),
                Arguments.of("test without type", withTests("[{\"id\": \"t1\"}]"), "qemu-x86_64", "type", GENERATION),
                Arguments.of("no kernel artifact", "{\"artifacts\": {}, \"tests\": [{\"id\": \"b\", \"type\": \"boot\"}],"
                        + " \"environment\": {\"platform\": \"qemu-x86_64\", \"arch\": \"x86_64\"}}", "qemu-x86_64",
                        "kernel", PARAMS),
                Arguments.of("unknown platform", withPlatform("riscv-board", "riscv64"), "riscv-board", "riscv-board",
                        PARAMS),
                Arguments.of("arch mismatch", withPlatform("qemu-x86_64", "arm64"), "qemu-x86_64", "arm64", PARAMS),
                Arguments.of("ltp without rootfs", "{\"artifacts\": {\"kernel\": \"https://k.example/bzImage\","
                        + " \"modules\": \"https://k.example/modules.tar.xz\"},"
                        + " \"tests\": [{\"id\": \"l\", \"type\": \"ltp\", \"parameters\": \"tst_cmdfiles=smoketest\"}],"
                        + " \"environment\": {\"platform\": \"qemu-x86_64\", \"arch\": \"x86_64\"}}", "qemu-x86_64",
                        "rootfs", PARAMS),
                Arguments.of("non-http artifact", "{\"artifacts\": {\"kernel\": \"ftp://k.example/bzImage\"},"
                        + " \"tests\": [{\"id\": \"b\", \"type\": \"boot\"}],"
                        + " \"environment\": {\"platform\": \"qemu-x86_64\", \"arch\": \"x86_64\"}}", "qemu-x86_64",
                        "ftp://", PARAMS),
                Arguments.of("negative timeout", "{\"artifacts\": {\"kernel\": \"https://k.example/bzImage\"},"
                        + " \"tests\": [{\"id\": \"b\", \"type\": \"boot\", \"timeout_s\": -5}],"
                        + " \"environment\": {\"platform\": \"qemu-x86_64\", \"arch\": \"x86_64\"}}", "qemu-x86_64",
                        "timeout", GENERATION),
                Arguments.of("too large", "{\"pad\": \"" + "x".repeat(70_000) + "\"}", "qemu-x86_64", "larger", PARAMS));
    }

    private static String withTests(String tests) {
        return "{\"artifacts\": {\"kernel\": \"https://k.example/bzImage\"}, \"tests\": " + tests
                + ", \"environment\": {\"platform\": \"qemu-x86_64\", \"arch\": \"x86_64\"}}";
    }

    private static String withPlatform(String platform, String arch) {
        return "{\"artifacts\": {\"kernel\": \"https://k.example/bzImage\"}, \"tests\": [{\"id\": \"b\","
                + " \"type\": \"boot\"}], \"environment\": {\"platform\": \"" + platform + "\", \"arch\": \"" + arch
                + "\"}}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableJobs")
    @DisplayName("a job that cannot run is finished incomplete with the error code and a message; nothing launched")
    void givenUnusableDefinition_whenRun_thenIncompleteAndNothingLaunched(String name, String body, String platform,
            String named, String code) throws Exception {
        JobTicket ticket = ticketWithBody(100 + Math.abs(name.hashCode() % 1000), body, platform);

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(outcome.plan()).isEmpty();
        ObjectNode node = api.node(ticket.nodeId()).orElseThrow();
        assertThat(node.get("state").asText()).isEqualTo("done");
        assertThat(node.get("result").asText()).isEqualTo("incomplete");
        assertThat(node.at("/data/error_code").asText()).isEqualTo(code);
        assertThat(node.at("/data/error_msg").asText()).containsIgnoringCase(named);
        assertThat(instancesOfJob(ticket.nodeId())).isEmpty();
    }

    @Test
    @DisplayName("a job definition on a host outside the allow-list is refused without being fetched")
    void givenForeignHost_whenRun_thenRefused() throws Exception {
        String node = KernelCiFixtures.nodeId(900);
        api.putNode(KernelCiFixtures.job(node, RUNTIME, "qemu-x86_64"));
        JobTicket ticket = new JobTicket(node, "baseline", RUNTIME, "qemu-x86_64", "x86_64",
                "https://evil.example/job.json", null, RUNTIME + ":x", "e1", "2026-05-20T10:00:00.000000");

        orchestrator().runJob(ticket);

        assertThat(api.node(node).orElseThrow().at("/data/error_msg").asText()).contains("evil.example");
    }

    @Test
    @DisplayName("an unreachable job definition (404) finishes the job incomplete")
    void givenMissingDefinition_whenRun_thenIncomplete() throws Exception {
        String node = KernelCiFixtures.nodeId(901);
        api.putNode(KernelCiFixtures.job(node, RUNTIME, "qemu-x86_64"));
        JobTicket ticket = new JobTicket(node, "baseline", RUNTIME, "qemu-x86_64", "x86_64", url("missing.json"),
                null, RUNTIME + ":x", "e1", "2026-05-20T10:00:00.000000");

        orchestrator().runJob(ticket);

        assertThat(api.node(node).orElseThrow().at("/data/error_msg").asText()).contains("unreachable")
                .contains("404");
    }

    // ---------------------------------------------------------------------------------------------------- handlers

    @Test
    @DisplayName("the SQS handler reports only the bad message as failed")
    void givenBatchWithBadMessage_whenHandled_thenOnlyItFails() throws Exception {
        JobTicket good = ticket(6, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message("m-bad", "{not a ticket"), message("m-good", JobTicketJson.write(good))));

        SQSBatchResponse response = new JobsQueueHandler(orchestrator()).handleRequest(event, null);

        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("m-bad");
        assertThat(instancesOfJob(good.nodeId())).hasSize(2);
    }

    @Test
    @DisplayName("a BuildComplete event (payload in detail) starts a run of the config's VMs")
    void givenBuildCompleteEvent_whenHandled_thenRun() throws Exception {
        String config = uploadPipelineConfig();
        Map<String, Object> event = Map.of("id", "evt-" + suffix, "source", "custom.kernel-build",
                "detail-type", "BuildComplete", "time", "2026-11-24T10:00:00Z",
                "detail", Map.of("config_s3_uri", config, "region", aws.region().id()));

        Map<String, Object> result = new TriggerHandler(orchestrator(), s3).handleRequest(event, null);

        assertThat(result).containsEntry("status", "launched");
        assertThat((String) result.get("test_id")).startsWith("nightly-");
        assertThat((String) result.get("run_prefix")).startsWith("run_nightly-").endsWith("_20261124_100000");
        assertThat(instancesOfRun((String) result.get("run_prefix"))).hasSize(3);
    }

    @Test
    @DisplayName("a scheduled event (constant input at the top level) starts a run; the same event again adds none")
    void givenScheduledEvent_whenHandledTwice_thenOneRun() throws Exception {
        String config = uploadPipelineConfig();
        Map<String, Object> event = Map.of("id", "sched-" + suffix, "time", "2026-11-24T02:00:00Z",
                "config_s3_uri", config, "region", aws.region().id());
        TriggerHandler handler = new TriggerHandler(orchestrator(), s3);

        Map<String, Object> first = handler.handleRequest(event, null);
        Map<String, Object> again = handler.handleRequest(event, null);

        assertThat(again.get("run_prefix")).isEqualTo(first.get("run_prefix"));
        assertThat(instancesOfRun((String) first.get("run_prefix"))).hasSize(3);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private String uploadPipelineConfig() {
        String json = """
                {"test_config": {"test_id": "nightly", "role_name": "ecsTaskExecutionRole", "vms": [
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                    "instance_type": "t3.micro", "max_runtime": 3600, "test": ["basic-test", "example-reboot-test"],
                    "min_count": 1},
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                    "instance_type": "t4g.micro", "max_runtime": 3600, "test": ["basic-test"], "min_count": 1}]},
                 "storage": {"type": "s3", "bucket": "kernel-ci-results", "results_prefix": "results"}}
                """;
        s3.putObject(b -> b.bucket(storage).key("configs/config.json"),
                software.amazon.awssdk.core.sync.RequestBody.fromString(json));
        return "s3://" + storage + "/configs/config.json";
    }

    private JobTicket ticket(int n, String fixture, String platform) {
        return ticketWithBody(n, resource("/job/" + fixture), platform);
    }

    private JobTicket ticketWithBody(int n, String body, String platform) {
        String node = KernelCiFixtures.nodeId(n);
        api.putNode(KernelCiFixtures.job(node, RUNTIME, platform));
        String name = node + ".json";
        definitions.put("/" + name, body.getBytes(StandardCharsets.UTF_8));
        return new JobTicket(node, "job-" + n, RUNTIME, platform, "", url(name), "6825f3a1b4e0b1c9d2a7e001",
                RUNTIME + ":claim-" + n, "event-" + n, "2026-05-20T10:15:30.431000");
    }

    private String url(String name) {
        return "http://127.0.0.1:" + files.getAddress().getPort() + "/" + name;
    }

    private List<Instance> instancesOfJob(String nodeId) {
        return instances(Filter.builder().name("tag:" + Ec2Launcher.TAG_JOB_NODE).values(nodeId).build());
    }

    private List<Instance> instancesOfRun(String prefix) {
        return instances(Filter.builder().name("tag:" + Ec2Launcher.TAG_RUN).values(prefix).build());
    }

    private List<Instance> instances(Filter filter) {
        return ec2.describeInstances(b -> b.filters(filter)).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList();
    }

    private static Map<String, String> tags(Instance vm) {
        Map<String, String> tags = new HashMap<>();
        vm.tags().forEach(t -> tags.put(t.key(), t.value()));
        return tags;
    }

    private static Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    private static SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(id);
        message.setBody(body);
        return message;
    }

    private String table(String name, String key) {
        dynamo.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                        .attributeType(ScalarAttributeType.S).build()));
        return name;
    }

    private String instanceProfile(String name) {
        try (var iam = aws.client(software.amazon.awssdk.services.iam.IamClient.builder()
                .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL))) {
            iam.createInstanceProfile(b -> b.instanceProfileName(name));
        }
        return name;
    }

    private static String resource(String path) {
        try (InputStream in = OrchestratorIT.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("test resource " + path + " missing", e);
        }
    }

    private static HttpServer serve(Map<String, byte[]> files) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = files.get(exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
                if (body != null) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
