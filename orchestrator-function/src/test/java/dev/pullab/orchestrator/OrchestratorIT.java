package dev.pullab.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.sun.net.httpserver.HttpServer;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.launch.UserData;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.SettableClock;
import dev.pullab.testkit.KernelCiApiDouble;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.testkit.StaticFileServer;
import dev.pullab.aws.Ec2Launcher;
import dev.pullab.core.launch.LaunchIntents;
import dev.pullab.core.launch.LaunchSettings;
import dev.pullab.orchestrator.launch.RunLauncher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
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
    private final String runsTable = aws.createTable("pullab-runs-" + suffix, "run_id");
    private final String launchesTable = aws.createTable("pullab-launches-" + suffix, "launch_id");
    private final String cluster = ecs.createCluster(b -> b.clusterName("pullab-qemu-" + suffix)).cluster()
            .clusterName();
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final Map<String, byte[]> definitions = new ConcurrentHashMap<>();
    private final HttpServer files = serve(definitions);
    private final String securityGroup = ec2.createSecurityGroup(b -> b.groupName("pullab-" + suffix)
            .description("pullab test VMs")).groupId();
    private final String subnet = ec2.describeSubnets().subnets().get(0).subnetId();
    private final String instanceProfile = instanceProfile("pullab-test-vm-" + suffix);
    /** The pipeline config's role_name: the instance profile of its VMs (pullab_cloud's role and profile). */
    private final String configRole = instanceProfile("kernel-ci-lab-role-" + suffix);

    @TempDir
    Path dir;

    private Orchestrator orchestrator;

    private Orchestrator orchestrator() throws IOException {
        if (orchestrator == null) {
            orchestrator = orchestrator(ec2, Clock.systemUTC());
        }
        return orchestrator;
    }

    private Orchestrator orchestrator(Ec2Client ec2Client, Clock clock) throws IOException {
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
        return OrchestratorAssembly.create(settings,
                new OrchestratorAssembly.Clients(s3, dynamo, ec2Client, ssm, ecs), FAST, clock);
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
                     "instance_type": "m7g.large", "vm_count": 1, "max_runtime": 5400},
                   "aws-ec2-x86_64": {"executor": "ec2", "arch": "x86_64",
                     "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                     "instance_type": "c5.xlarge", "vm_count": 1, "max_runtime": 7200}},
                 "job_definitions": {"allowed_hosts": ["http://127.0.0.1"], "max_bytes": 65536},
                 "artifact_urls": {"allow_http": true}}
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
            assertThat(tags(vm)).containsEntry(VmTags.RUN, prefix).containsEntry(VmTags.LAB, "true")
                    .containsEntry(VmTags.TEST, "kernelci-boot")
                    .containsEntry(VmTags.JOB_NODE, ticket.nodeId());
            assertThat(vm.instanceTypeAsString()).isEqualTo("m5.large");
            assertThat(vm.imageId()).isEqualTo(ssm.getParameter(b -> b.name(
                    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")).parameter().value());
            assertThat(vm.metadataOptions().httpTokensAsString()).isEqualTo("required");
        });
        String userData = new String(Base64.getDecoder().decode(ec2.describeInstanceAttribute(b -> b
                .instanceId(vms.get(0).instanceId()).attribute("userData")).userData().value()), StandardCharsets.UTF_8);
        assertThat(userData).contains("s3://" + results + "/" + prefix + "/test-vm-client.sh")
                .contains("install --bucket '" + results + "' --run-prefix '" + prefix + "' --test 'kernelci-boot'");
        assertThat(userData.indexOf("systemd-run")).as("watchdog armed before the client download")
                .isLessThan(userData.indexOf("aws s3 cp"));
        assertThat(vms).allSatisfy(vm -> assertThat(vm.blockDeviceMappings()).singleElement()
                .satisfies(root -> assertThat(root.ebs().deleteOnTermination()).isTrue()));
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
        long maxRuntime = run.deadline() - run.createdAt() - RunLauncher.DEADLINE_GRACE.toSeconds();
        assertThat(userData).contains("--on-active=" + (maxRuntime + UserData.WATCHDOG_MARGIN_S)
                + "s systemctl poweroff");
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

        // the task id, which the QEMU runner names its output folder after
        assertThat(outcome.instances()).singleElement().satisfies(id -> assertThat(id).doesNotContain(":", "/"));
        var task = ecs.describeTasks(b -> b.cluster(cluster).tasks(outcome.instances())).tasks().get(0);
        Map<String, String> env = new HashMap<>();
        task.overrides().containerOverrides().get(0).environment().forEach(kv -> env.put(kv.name(), kv.value()));
        assertThat(env).containsEntry("TEST_NAME", "kernelci-ltp")
                .containsEntry("RUN_PREFIX", outcome.plan().orElseThrow().runPrefix())
                .containsEntry("PULLAB_LTP_CMDFILES", "smoketest")
                .containsEntry("PULLAB_ALLOW_HTTP", "1");
        assertThat(instancesOfJob(ticket.nodeId())).isEmpty();
    }

    @Test
    @DisplayName("the kselftest job on an arm64 board runs on an arm64 EC2 VM with its collection")
    void givenKselftestJob_whenRun_thenArmVm() throws Exception {
        JobTicket ticket = ticket(4, "pull_labs_jobdef_kselftest_arm64_dtb.json", "exynos850-e850-96");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(instancesOfJob(ticket.nodeId())).singleElement().satisfies(vm -> {
            assertThat(vm.instanceTypeAsString()).isEqualTo("m7g.large");
            assertThat(tags(vm)).containsEntry(VmTags.TEST, "kernelci-kselftest");
        });
        assertThat(outcome.plan().orElseThrow().groups().get(0).test().params())
                .containsEntry("PULLAB_KSELFTEST_COLLECTION", "arm64");
    }

    @Test
    @DisplayName("a pullab_cloud job (platform outside the table, tests baseline and unixbench, timeout 1800) runs one"
            + " boot VM on the lab's default EC2 platform aws-ec2-x86_64, its life bounded by the timeout")
    void givenPullabCloudJob_whenRun_thenOneBootVmOnDefaultEc2Platform() throws Exception {
        String body = """
                {"artifacts": {"kernel": "https://storage.example.org/k/bzImage",
                               "modules": "https://storage.example.org/k/modules.tar.gz"},
                 "tests": [{"id": "baseline-x86", "type": "baseline"}, {"id": "bench", "type": "unixbench"}],
                 "environment": {"platform": "pullab-cloud-x86", "arch": "x86_64"},
                 "timeout": 1800}
                """;
        JobTicket ticket = ticketWithBody(1901, body, "pullab-cloud-x86");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(outcome.rejection()).isEmpty();
        assertThat(instancesOfJob(ticket.nodeId())).singleElement().satisfies(vm -> {
            assertThat(vm.instanceTypeAsString()).isEqualTo("c5.xlarge");
            assertThat(tags(vm)).containsEntry(VmTags.TEST, "kernelci-boot");
        });
        String prefix = outcome.plan().orElseThrow().runPrefix();
        Map<String, String> zip = unzip(s3.getObjectAsBytes(b -> b.bucket(results)
                .key(prefix + "/test_kernelci-boot/input/kernelci-boot_test_payload.zip")).asByteArray());
        assertThat(zip.get("params.env")).contains("PULLAB_TEST_TYPE='boot'")
                .contains("PULLAB_TEST_ID='baseline-x86'").contains("PULLAB_PLATFORM='aws-ec2-x86_64'");
        RunRecord run = new DynamoDbRunStore(dynamo, runsTable).find(prefix).orElseThrow();
        assertThat(run.deadline()).isEqualTo(run.createdAt() + 1800 + RunLauncher.DEADLINE_GRACE.toSeconds());
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

    @Test
    @DisplayName("an attempt died right after launching a VM, which has since run its test and terminated: the retry"
            + " after the lease adopts that VM instead of launching it again")
    void givenAttemptDiedAfterLaunchAndVmTerminated_whenRetriedAfterLease_thenVmAdoptedNotRelaunched() throws Exception {
        JobTicket ticket = ticket(7, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");
        SettableClock clock = new SettableClock(Instant.now());
        AtomicBoolean died = new AtomicBoolean();
        ExecutionInterceptor dieAfterFirstLaunch = new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if ("RunInstances".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                        && died.compareAndSet(false, true)) {
                    throw new IllegalStateException("the invocation died after RunInstances");
                }
            }
        };
        Orchestrator dying = orchestrator(aws.client(Ec2Client.builder()
                .overrideConfiguration(o -> o.addExecutionInterceptor(dieAfterFirstLaunch))), clock);

        assertThatThrownBy(() -> dying.runJob(ticket)).hasStackTraceContaining("died after RunInstances");
        List<Instance> first = instancesOfJob(ticket.nodeId());
        assertThat(first).hasSize(1);
        ec2.terminateInstances(b -> b.instanceIds(first.get(0).instanceId())); // its test ran, it powered off
        clock.advance(LaunchIntents.LEASE.plusSeconds(1));

        List<String> instances = dying.runJob(ticket).instances();

        // this lab runs qemu-x86_64 jobs on 2 VMs: the adopted one and the one the first attempt never reached
        assertThat(instances).hasSize(2).contains(first.get(0).instanceId());
        assertThat(instancesOfJob(ticket.nodeId())).hasSize(2);
    }

    // Jobs that cannot run (bad job definitions, refused URLs, 404s) are the corpus of JobDefinitionCorpusIT.

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

        Map<String, Object> result = new TriggerHandler(orchestrator(), new S3ObjectStore(s3)).handleRequest(event, null);

        assertThat(result).containsEntry("status", "launched");
        assertThat((String) result.get("test_id")).startsWith("nightly-");
        assertThat((String) result.get("run_prefix")).startsWith("run_nightly-").endsWith("_20261124_100000");
        assertThat(instancesOfRun((String) result.get("run_prefix"))).hasSize(3)
                .allSatisfy(vm -> assertThat(vm.iamInstanceProfile().arn()).endsWith("/" + configRole));
        // the config's storage section is pullab_cloud's setup: reported, not used
        assertThat(result.get("warnings")).asList().singleElement().asString().startsWith("storage: not used");
    }

    @Test
    @DisplayName("an event naming another region than the lab's is refused naming both; nothing is launched")
    void givenEventForAnotherRegion_whenHandled_thenRefused() throws Exception {
        String config = uploadPipelineConfig();
        String other = aws.region().id().equals("eu-west-2") ? "us-east-1" : "eu-west-2";
        Map<String, Object> event = Map.of("id", "evt-region-" + suffix, "time", "2026-11-24T10:00:00Z",
                "detail", Map.of("config_s3_uri", config, "region", other));

        assertThatThrownBy(() -> new TriggerHandler(orchestrator(), new S3ObjectStore(s3)).handleRequest(event, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region '" + other + "'").hasMessageContaining("'" + aws.region().id() + "'");
        assertThat(instancesOfRun("run_nightly-" + Orchestrator.suffix("evt-region-" + suffix) + "_20261124_100000"))
                .isEmpty();
    }

    @Test
    @DisplayName("a scheduled event (constant input at the top level) starts a run; the same event again adds none")
    void givenScheduledEvent_whenHandledTwice_thenOneRun() throws Exception {
        String config = uploadPipelineConfig();
        Map<String, Object> event = Map.of("id", "sched-" + suffix, "time", "2026-11-24T02:00:00Z",
                "config_s3_uri", config, "region", aws.region().id());
        TriggerHandler handler = new TriggerHandler(orchestrator(), new S3ObjectStore(s3));

        Map<String, Object> first = handler.handleRequest(event, null);
        Map<String, Object> again = handler.handleRequest(event, null);

        assertThat(again.get("run_prefix")).isEqualTo(first.get("run_prefix"));
        assertThat(instancesOfRun((String) first.get("run_prefix"))).hasSize(3);
    }

    @Test
    @DisplayName("a config run naming a test of the storage bucket's tests/ launches it with that test's payload")
    void givenCustomTestInStorageBucket_whenAConfigNamesIt_thenItsPayloadIsTheUploadedTest() throws Exception {
        putStorage("tests/my-boot/run.sh", "#!/bin/bash\necho my boot\n");
        putStorage("tests/my-boot/external_requirements.json", "{}");
        Map<String, Object> event = Map.of("id", "custom-" + suffix, "time", "2026-11-24T02:00:00Z",
                "config_s3_uri", uploadConfigNaming("my-boot"), "region", aws.region().id());

        Map<String, Object> result = new TriggerHandler(orchestrator(), new S3ObjectStore(s3)).handleRequest(event, null);

        String prefix = (String) result.get("run_prefix");
        assertThat(instancesOfRun(prefix)).hasSize(1);
        Map<String, String> zip = unzip(s3.getObjectAsBytes(b -> b.bucket(results)
                .key(prefix + "/test_my-boot/input/my-boot_test_payload.zip")).asByteArray());
        assertThat(zip).containsEntry("run.sh", "#!/bin/bash\necho my boot\n")
                .containsKeys("test-vm-client.sh", "lib/test_lib.sh");
    }

    @Test
    @DisplayName("a config run naming a test that is nowhere launches nothing, and says which tests are known")
    void givenConfigNamingUnknownTest_whenHandled_thenRefusedListingKnownTestsAndNothingLaunched() throws Exception {
        putStorage("tests/my-boot/run.sh", "true\n");
        String config = uploadConfigNaming("my-bot");
        Map<String, Object> event = Map.of("id", "unknown-" + suffix, "time", "2026-11-24T02:00:00Z",
                "config_s3_uri", config, "region", aws.region().id());
        TriggerHandler handler = new TriggerHandler(orchestrator(), new S3ObjectStore(s3));

        assertThatThrownBy(() -> handler.handleRequest(event, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown vm-test 'my-bot': looked in s3://" + storage + "/tests/ (tests there: "
                        + "my-boot) and in the bundled tests of ")
                .hasMessageContaining("basic-test");
        assertThat(instances(Filter.builder().name("tag:" + VmTags.RUN).values("run_custom-*").build())).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(results)).contents()).isEmpty();
    }

    @Test
    @DisplayName("a job whose test is broken in the storage bucket is finished incomplete (Configuration), not retried,"
            + " and the node's message names the test but not the lab's buckets")
    void givenBrokenBucketTestShadowingBootTest_whenJobRun_thenFinishedIncompleteAndNothingLaunched() throws Exception {
        putStorage("tests/kernelci-boot/README.md", "no run script here\n");
        JobTicket ticket = ticket(8, "pull_labs_jobdef_baseline_qemu_x86_64.json", "qemu-x86_64");

        Orchestrator.Outcome outcome = orchestrator().runJob(ticket);

        assertThat(outcome.rejection()).hasValueSatisfying(rejection -> {
            assertThat(rejection.code()).isEqualTo(ErrorCode.CONFIGURATION);
            assertThat(rejection.message()).contains("kernelci-boot").doesNotContain(storage);
        });
        assertThat(instancesOfJob(ticket.nodeId())).isEmpty();
        JsonNode node = api.node(ticket.nodeId()).orElseThrow();
        assertThat(node.path("state").asText()).isEqualTo("done");
        assertThat(node.path("result").asText()).isEqualTo("incomplete");
        assertThat(node.path("data").path("error_code").asText()).isEqualTo("Configuration");
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private String uploadConfigNaming(String test) {
        String json = """
                {"test_config": {"test_id": "custom", "vms": [
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                    "instance_type": "t3.micro", "max_runtime": 3600, "test": ["%s"], "min_count": 1}]}}
                """.formatted(test);
        putStorage("configs/custom.json", json);
        return "s3://" + storage + "/configs/custom.json";
    }

    private void putStorage(String key, String content) {
        s3.putObject(b -> b.bucket(storage).key(key), software.amazon.awssdk.core.sync.RequestBody.fromString(content));
    }

    private String uploadPipelineConfig() {
        String json = """
                {"test_config": {"test_id": "nightly", "role_name": "%s", "vms": [
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                    "instance_type": "t3.micro", "max_runtime": 3600, "test": ["basic-test", "example-reboot-test"],
                    "min_count": 1},
                   {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                    "instance_type": "t4g.micro", "max_runtime": 3600, "test": ["basic-test"], "min_count": 1}]},
                 "storage": {"type": "s3", "bucket": "kernel-ci-results", "results_prefix": "results"}}
                """.formatted(configRole);
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
        return instances(Filter.builder().name("tag:" + VmTags.JOB_NODE).values(nodeId).build());
    }

    private List<Instance> instancesOfRun(String prefix) {
        return instances(Filter.builder().name("tag:" + VmTags.RUN).values(prefix).build());
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
        return StaticFileServer.start(files);
    }
}
