package dev.pullab.bench;

import com.sun.net.httpserver.HttpServer;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.testkit.StaticFileServer;
import dev.pullab.aws.PollerTables;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What {@link ColdStartBench} runs: per function, the handler, the environment the CDK stack gives it (pointing at
 * the emulator and the doubles), a representative event, and a check that the invocation did its work.
 */
final class ColdStartScenarios {

    static final String RUNTIME = "pull-labs-aws-ec2";
    static final String PLATFORM = "qemu-x86_64";
    private static final String API_TOKEN = "cold-start-token";
    private static final String KCIDB_SECRET = "cold-start-kcidb";
    private static final String KCIDB_ORIGIN = "pullab_bench";

    private ColdStartScenarios() {
    }

    /** One prepared invocation: the function's environment and the event arguments of {@link ColdStartProbe}. */
    record Invocation(Map<String, String> env, List<String> event) {
    }

    /** A function under test. {@link #next} prepares a fresh invocation (one per run), {@link #verify} checks it. */
    interface Scenario extends AutoCloseable {
        String name();

        String handler();

        Path jar();

        Invocation next(int run);

        /** @throws IllegalStateException when the invocation did not do its work */
        void verify(Invocation invocation, String result);

        /** Whether a second {@link #next} can be invoked in the JVM of the first (same environment). */
        default boolean repeatable() {
            return true;
        }

        @Override
        default void close() {
        }
    }

    /** The environment Lambda itself sets (besides the function's variables): region, credentials, name, memory. */
    static Map<String, String> lambdaEnvironment(AwsEmulator aws, String function) {
        Map<String, String> env = new LinkedHashMap<>(aws.environment());
        env.put("AWS_DEFAULT_REGION", aws.region().id());
        env.put("AWS_SESSION_TOKEN", "cold-start-session");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", function);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function);
        env.put("TZ", ":UTC");
        return env;
    }

    // ------------------------------------------------------------------------------------------------- hello world

    static Scenario helloWorld(AwsEmulator aws, Path jar) {
        return new Scenario() {
            @Override
            public String name() {
                return "hello-world";
            }

            @Override
            public String handler() {
                return ColdStartHelloHandler.class.getName();
            }

            @Override
            public Path jar() {
                return jar;
            }

            @Override
            public Invocation next(int run) {
                return new Invocation(lambdaEnvironment(aws, "HelloWorld"), List.of("map", "source", "pullab.schedule"));
            }

            @Override
            public void verify(Invocation invocation, String result) {
                require(result.equals("hello 1"), "hello-world answered '" + result + "'");
            }
        };
    }

    // ------------------------------------------------------------------------------------------------------ poller

    /** PollHandler, scheduled: 3 available jobs on a fresh KernelCI double and fresh tables, each claimed and queued. */
    static Scenario poller(AwsEmulator aws, Path root, Secrets secrets) {
        return new Scenario() {
            private KernelCiApiDouble api;
            private PollerTables tables;

            @Override
            public String name() {
                return "poller";
            }

            @Override
            public String handler() {
                return "dev.pullab.poller.PollHandler";
            }

            @Override
            public Path jar() {
                return functionJar(root, "poller-function");
            }

            @Override
            public Invocation next(int run) {
                close();
                api = KernelCiApiDouble.start(API_TOKEN);
                tables = PollerTables.create(aws.client(DynamoDbClient.builder()), aws.client(SqsClient.builder()));
                for (int j = 1; j <= 3; j++) {
                    api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(j), RUNTIME, PLATFORM),
                            String.format("2026-05-20T10:00:%02d", j));
                }
                Map<String, String> env = lambdaEnvironment(aws, "Poller");
                env.put("KERNELCI_API_BASE_URI", api.baseUri().toString());
                env.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.apiToken());
                env.put("KERNELCI_RUNTIME_NAME", RUNTIME);
                env.put("PULLAB_CURSOR_TABLE", tables.cursorTable());
                env.put("PULLAB_JOBS_TABLE", tables.jobsTable());
                env.put("PULLAB_JOBS_QUEUE_URL", tables.queueUrl());
                // the schedule's constant input (PullabStack)
                return new Invocation(env, List.of("map", "source", "pullab.schedule"));
            }

            @Override
            public boolean repeatable() {
                return false; // each run has tables and a KernelCI double of its own
            }

            @Override
            public void verify(Invocation invocation, String result) {
                int queued = tables.receiveAll().size();
                require(queued == 3, "poller queued " + queued + " of 3 jobs: " + result);
            }

            @Override
            public void close() {
                if (api != null) {
                    api.close();
                }
            }
        };
    }

    // ------------------------------------------------------------------------------------------------ orchestrator

    /**
     * The orchestrator's world, shared by its two handlers (one function environment, as in the stack): buckets,
     * tables, network, instance profile, QEMU cluster and task definition, the lab config in S3 (job definitions
     * from loopback allowed, qemu-x86_64 on 1 VM), a pipeline config of 1 VM, the KernelCI double and a server of job
     * definitions.
     */
    static final class OrchestratorWorld implements AutoCloseable {
        final AwsEmulator aws;
        final Ec2Client ec2;
        final KernelCiApiDouble api = KernelCiApiDouble.start(API_TOKEN);
        final Map<String, byte[]> definitions = new ConcurrentHashMap<>();
        /** Read once: the reactor's jars may be rebuilt while the bench runs. */
        final byte[] baseline = resource("/job/pull_labs_jobdef_baseline_qemu_x86_64.json");
        final HttpServer files;
        final String pipelineConfig;
        final Map<String, String> env;

        OrchestratorWorld(AwsEmulator aws, Secrets secrets) {
            this.aws = aws;
            this.ec2 = aws.client(Ec2Client.builder());
            this.files = serve(definitions);
            String suffix = suffix();
            S3Client s3 = aws.s3();
            String results = aws.createBucket("cold-results");
            String storage = aws.createBucket("cold-storage");
            DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
            String runs = AwsEmulator.get().createTable("pullab-runs-" + suffix, "run_id");
            String launches = AwsEmulator.get().createTable("pullab-launches-" + suffix, "launch_id");
            String profile = "pullab-vm-" + suffix;
            try (IamClient iam = aws.client(IamClient.builder().region(Region.AWS_GLOBAL))) {
                iam.createInstanceProfile(b -> b.instanceProfileName(profile));
            }
            String securityGroup = ec2.createSecurityGroup(b -> b.groupName("pullab-" + suffix)
                    .description("pullab test VMs")).groupId();
            String subnet = ec2.describeSubnets().subnets().get(0).subnetId();
            String cluster;
            String taskDefinition;
            try (EcsClient ecs = aws.client(EcsClient.builder())) {
                cluster = ecs.createCluster(b -> b.clusterName("pullab-qemu-" + suffix)).cluster().clusterArn();
                taskDefinition = ecs.registerTaskDefinition(b -> b.family("qemu-runner-" + suffix)
                        .requiresCompatibilities(Compatibility.FARGATE).networkMode(NetworkMode.AWSVPC).cpu("2048")
                        .memory("4096")
                        .containerDefinitions(c -> c.name("qemu-runner").image("pullab/qemu-runner:bench")
                                .memory(4096)))
                        .taskDefinition().taskDefinitionArn();
            }
            s3.putObject(b -> b.bucket(storage).key("configs/lab.json"), RequestBody.fromString("""
                    {"platforms": {
                       "qemu-x86_64": {"executor": "ec2", "arch": "x86_64",
                         "ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                         "instance_type": "m5.large", "vm_count": 1, "max_runtime": 3600}},
                     "job_definitions": {"allowed_hosts": ["http://127.0.0.1"], "max_bytes": 65536},
                     "artifact_urls": {"allow_http": true}}
                    """));
            s3.putObject(b -> b.bucket(storage).key("configs/config.json"), RequestBody.fromString("""
                    {"test_config": {"test_id": "nightly", "vms": [
                       {"ami_id": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                        "instance_type": "t3.micro", "max_runtime": 3600, "test": ["basic-test"], "min_count": 1}]},
                     "storage": {"type": "s3", "bucket": "kernel-ci-results", "results_prefix": "results"}}
                    """));
            this.pipelineConfig = "s3://" + storage + "/configs/config.json";
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put("PULLAB_RESULTS_BUCKET", results);
            vars.put("PULLAB_STORAGE_BUCKET", storage);
            vars.put("PULLAB_RUNS_TABLE", runs);
            vars.put("PULLAB_LAUNCHES_TABLE", launches);
            vars.put("PULLAB_LAB_CONFIG", "s3://" + storage + "/configs/lab.json");
            vars.put("PULLAB_INSTANCE_PROFILE", profile);
            vars.put("PULLAB_SUBNET_IDS", subnet);
            vars.put("PULLAB_SECURITY_GROUP_IDS", securityGroup);
            vars.put("PULLAB_ECS_CLUSTER", cluster);
            vars.put("PULLAB_QEMU_TASK_DEFINITION", taskDefinition);
            vars.put("KERNELCI_API_BASE_URI", api.baseUri().toString());
            vars.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.apiToken());
            this.env = Map.copyOf(vars);
        }

        int instancesTagged(String tag, String value) {
            return ec2.describeInstances(b -> b.filters(Filter.builder().name("tag:" + tag).values(value).build()))
                    .reservations().stream().mapToInt(r -> r.instances().size()).sum();
        }

        @Override
        public void close() {
            api.close();
            files.stop(0);
            ec2.close();
        }
    }

    /** JobsQueueHandler: one SQS message carrying a claimed fixture job (baseline on qemu-x86_64, 1 VM). */
    static Scenario orchestratorJobs(Path root, OrchestratorWorld world, int firstNode) {
        return new Scenario() {
            @Override
            public String name() {
                return "orchestrator (jobs queue)";
            }

            @Override
            public String handler() {
                return "dev.pullab.orchestrator.JobsQueueHandler";
            }

            @Override
            public Path jar() {
                return functionJar(root, "orchestrator-function");
            }

            @Override
            public Invocation next(int run) {
                String node = KernelCiFixtures.nodeId(firstNode + run);
                world.api.putNode(KernelCiFixtures.job(node, RUNTIME, PLATFORM));
                world.definitions.put("/" + node + ".json", world.baseline);
                String url = "http://127.0.0.1:" + world.files.getAddress().getPort() + "/" + node + ".json";
                JobTicket ticket = new JobTicket(node, "baseline-x86-pull-labs", RUNTIME, PLATFORM, "x86_64", url,
                        "6825f3a1b4e0b1c9d2a7e001", RUNTIME + ":claim-" + node, "event-" + node,
                        "2026-05-20T10:15:30.431000");
                Map<String, String> env = lambdaEnvironment(world.aws, "JobsQueueOrchestrator");
                env.putAll(world.env);
                return new Invocation(env, List.of("sqs", "m-" + node, JobTicketJson.write(ticket)));
            }

            @Override
            public void verify(Invocation invocation, String result) {
                String node = invocation.event().get(1).substring(2);
                require(result.contains("batchItemFailures=[]"), "jobs queue handler failed: " + result);
                int vms = world.instancesTagged("pullab:job-node", node);
                require(vms == 1, "job " + node + " launched " + vms + " VMs, expected 1");
            }
        };
    }

    /** TriggerHandler: a BuildComplete event whose pipeline config (in S3) asks for 1 VM. */
    static Scenario orchestratorTrigger(Path root, OrchestratorWorld world) {
        return new Scenario() {
            @Override
            public String name() {
                return "orchestrator (trigger)";
            }

            @Override
            public String handler() {
                return "dev.pullab.orchestrator.TriggerHandler";
            }

            @Override
            public Path jar() {
                return functionJar(root, "orchestrator-function");
            }

            @Override
            public Invocation next(int run) {
                Map<String, String> env = lambdaEnvironment(world.aws, "TriggerOrchestrator");
                env.putAll(world.env);
                return new Invocation(env, List.of("map", "id", "evt-" + UUID.randomUUID(),
                        "source", "custom.kernel-build", "detail-type", "BuildComplete",
                        "time", "2026-11-24T10:00:00Z", "detail.config_s3_uri", world.pipelineConfig,
                        "detail.region", world.aws.region().id()));
            }

            @Override
            public void verify(Invocation invocation, String result) {
                require(result.contains("status=launched"), "trigger handler answered " + result);
                int start = result.indexOf("run_prefix=") + "run_prefix=".length();
                String prefix = result.substring(start, result.indexOf(',', start));
                int vms = world.instancesTagged("pullab:run", prefix);
                require(vms == 1, "run " + prefix + " launched " + vms + " VMs, expected 1");
            }
        };
    }

    // ---------------------------------------------------------------------------------------------------- analyzer

    /**
     * The analyzer's world, shared by its handlers (the stack gives them one environment): the results bucket, the
     * runs table, the KCIDB receiver double with the JWT in Secrets Manager, the KernelCI double.
     */
    static final class AnalyzerWorld implements AutoCloseable {
        final AwsEmulator aws;
        final String suffix = suffix();
        final S3Client s3;
        final DynamoDbClient dynamo;
        final String bucket;
        final String runsTable;
        final DynamoDbRunStore runs;
        final KcidbReceiverDouble kcidb = KcidbReceiverDouble.start(KCIDB_SECRET, KcidbValidator::validate);
        final KernelCiApiDouble api = KernelCiApiDouble.start(API_TOKEN);
        final Map<String, String> env;

        AnalyzerWorld(AwsEmulator aws, Secrets secrets) {
            this.aws = aws;
            this.s3 = aws.s3();
            this.dynamo = aws.client(DynamoDbClient.builder());
            this.bucket = aws.createBucket("cold-analyzer");
            this.runsTable = AwsEmulator.get().createTable("pullab-runs-a-" + suffix, "run_id");
            this.runs = new DynamoDbRunStore(dynamo, runsTable);
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put("PULLAB_RUNS_TABLE", runsTable);
            vars.put("PULLAB_RESULTS_BUCKET", bucket);
            vars.put("KCIDB_SUBMIT_URL", kcidb.submitUrl().toString());
            vars.put("KCIDB_JWT_SECRET_ARN", secrets.create("kcidb-jwt", KcidbReceiverDouble.jwt(KCIDB_SECRET,
                    KCIDB_ORIGIN)));
            vars.put("KCIDB_ORIGIN", KCIDB_ORIGIN);
            vars.put("KERNELCI_API_BASE_URI", api.baseUri().toString());
            vars.put("KERNELCI_API_TOKEN_SECRET_ARN", secrets.apiToken());
            this.env = Map.copyOf(vars);
        }

        @Override
        public void close() {
            kcidb.close();
            api.close();
            dynamo.close();
        }
    }

    /**
     * ResultsQueueHandler closing a 2-VM benchmark run of a KernelCI job: the first VM already counted, the event
     * carries the S3 notification of the second VM's {@code result.txt}; the invocation analyses the run (report,
     * plots), submits to the KCIDB double and finishes the node on the KernelCI double.
     */
    static Scenario analyzer(Path root, AnalyzerWorld world, int firstNode) {
        return new Scenario() {
            @Override
            public String name() {
                return "analyzer (results queue)";
            }

            @Override
            public String handler() {
                return "dev.pullab.analyzer.close.ResultsQueueHandler";
            }

            @Override
            public Path jar() {
                return functionJar(root, "analyzer-function");
            }

            @Override
            public Invocation next(int run) {
                String node = KernelCiFixtures.nodeId(firstNode + run);
                world.api.putNode(KernelCiFixtures.job(node, RUNTIME, PLATFORM));
                String prefix = "run_pulllab-" + node + "-" + world.suffix + "_20261124_101500";
                long now = Instant.now().getEpochSecond();
                world.runs.createIfAbsent(new RunRecord(prefix, "pulllab-" + node, Optional.of(node), Executor.EC2,
                        List.of("bench"), List.of(), 2,
                        List.of(LaunchedVm.of("bench", "i-aaa"), LaunchedVm.of("bench", "i-bbb")), RunRecord.RunState.RUNNING, now,
                        now + 3600));
                vm(prefix, "i-aaa", 1000, 700);
                vm(prefix, "i-bbb", 1002, 703);
                world.runs.markReported(prefix, "bench/i-aaa");
                Map<String, String> env = lambdaEnvironment(world.aws, "ResultsAnalyzer");
                env.putAll(world.env);
                return new Invocation(env, List.of("sqs", "m-" + node,
                        s3Notification(world.bucket, prefix + "/test_bench/output/i-bbb/result.txt")));
            }

            @Override
            public void verify(Invocation invocation, String result) {
                String node = invocation.event().get(1).substring(2);
                require(result.contains("batchItemFailures=[]"), "results handler failed: " + result);
                require(world.kcidb.submissions().stream().anyMatch(sub -> sub.body().toString().contains(node)),
                        "no KCIDB submission for job " + node + ": " + result);
                String state = world.api.node(node).map(n -> n.path("state").asText()).orElse("?");
                require(state.equals("done"), "job node " + node + " is " + state + ", not done");
            }

            private void vm(String prefix, String instance, double base, double tip) {
                String dir = prefix + "/test_bench/output/" + instance + "/";
                put(dir + "benchmark-base-1.csv", csv(base, instance, "6.1.141"));
                put(dir + "benchmark-tip-1.csv", csv(tip, instance, "6.1.150"));
                put(dir + "results.json", "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 4000}}");
                put(dir + "stats.json", "{\"instance_id\": \"" + instance + "\", \"instance_type\": \"m5.large\", "
                        + "\"arch\": \"x86_64\"}");
                put(dir + "run-1-output.log", "+ echo stage\nstage\n");
                put(dir + "result.txt", "SUCCESS\n");
            }

            private void put(String key, String content) {
                world.s3.putObject(b -> b.bucket(world.bucket).key(key), RequestBody.fromString(content));
            }
        };
    }

    /** SweepHandler, scheduled, finding no overdue run (the usual sweep): it terminates nothing. */
    static Scenario sweeper(Path root, AnalyzerWorld world) {
        return new Scenario() {
            @Override
            public String name() {
                return "analyzer (sweeper)";
            }

            @Override
            public String handler() {
                return "dev.pullab.analyzer.close.SweepHandler";
            }

            @Override
            public Path jar() {
                return functionJar(root, "analyzer-function");
            }

            @Override
            public Invocation next(int run) {
                Map<String, String> env = lambdaEnvironment(world.aws, "Sweeper");
                env.putAll(world.env);
                return new Invocation(env, List.of("map", "source", "pullab.schedule"));
            }

            @Override
            public void verify(Invocation invocation, String result) {
                require(result.contains("overdue_runs=0"), "sweeper answered " + result);
            }
        };
    }

    /** Three UnixBench-like metrics, 5 iterations each, around {@code center}. */
    private static String csv(double center, String instance, String kernel) {
        StringBuilder rows = new StringBuilder("metric,unit,value,more_is_better,kernel_version,instance_id,"
                + "instance_type,arch\n");
        for (String metric : List.of("Process_Creation", "Execl_Throughput", "Shell_Scripts_1")) {
            for (int i = 0; i < 5; i++) {
                rows.append(metric).append(",lps,").append(center + i).append(",true,").append(kernel).append(",")
                        .append(instance).append(",m5.large,x86_64\n");
            }
        }
        return rows.toString();
    }

    /** The body S3 sends to the results queue for one new object (key URL-encoded, as S3 does). */
    static String s3Notification(String bucket, String key) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"" + Instant.now() + "\",\"eventName\":\"ObjectCreated:Put\","
                + "\"userIdentity\":{\"principalId\":\"AWS:AROAEXAMPLE:i-bbb\"},"
                + "\"requestParameters\":{\"sourceIPAddress\":\"10.0.0.1\"},"
                + "\"responseElements\":{\"x-amz-request-id\":\"C3D13FE58DE4C810\",\"x-amz-id-2\":\"id2\"},"
                + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"results\","
                + "\"bucket\":{\"name\":\"" + bucket + "\",\"ownerIdentity\":{\"principalId\":\"A3NL1KOZZKExample\"},"
                + "\"arn\":\"arn:aws:s3:::" + bucket + "\"},"
                + "\"object\":{\"key\":\"" + encoded + "\",\"size\":8,\"eTag\":\"d41d8cd98f00b204e9800998ecf8427e\","
                + "\"sequencer\":\"0055AED6DCD90281E5\"}}}]}";
    }

    // ----------------------------------------------------------------------------------------------------- helpers

    /** The secrets the stack's functions read: the KernelCI token, and whatever else a scenario creates. */
    static final class Secrets implements AutoCloseable {
        private final SecretsManagerClient client;
        private final String apiToken;

        Secrets(AwsEmulator aws) {
            this.client = aws.client(SecretsManagerClient.builder());
            this.apiToken = create("kernelci-token", API_TOKEN);
        }

        String apiToken() {
            return apiToken;
        }

        String create(String name, String value) {
            return client.createSecret(b -> b.name("pullab-cold-start-" + name + "-" + suffix()).secretString(value))
                    .arn();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    static Path functionJar(Path root, String module) {
        return root.resolve(module).resolve("target").resolve(module + ".jar");
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] resource(String path) {
        try (InputStream in = ColdStartScenarios.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " missing (core's test jar)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpServer serve(Map<String, byte[]> files) {
        return StaticFileServer.start(files);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
