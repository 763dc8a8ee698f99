package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.report.ArtifactManifest;
import dev.pullab.core.report.ArtifactManifest.Artifact;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A run's close publishes its VMs' logs scrubbed under {@code logs/}, writes {@code artifacts.json}, and links only
 * the published copies, under {@code PULLAB_LOGS_URL}: on the emulator (S3 notifying SQS, DynamoDB), with the KCIDB
 * receiver and KernelCI API doubles.
 */
class LogPublishingIT {

    private static final String SECRET = "kcidb-secret";
    private static final String TOKEN = "maestro-lab-token-5d1f0c7a";
    private static final String AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String BANNER = "Linux version 6.1.150-170.1.amzn2023.x86_64 (mockbuild@ip-10-0-37-224) "
            + "(gcc (GCC) 11.4.1 20230605) #1 SMP PREEMPT_DYNAMIC Tue Nov 18 2026";
    private static final URI LOGS = URI.create("https://d111111abcdef8.cloudfront.net");
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofSeconds(3));
    private static final String VM_A = "i-0a1b2c3d4e5f60718";
    private static final String VM_B = "i-0f9e8d7c6b5a40312";

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final SqsClient sqs = aws.client(SqsClient.builder());
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = aws.createBucket("results");
    private final String queue = ResultsQueueFixture.notifyingQueue(sqs, s3, bucket, "logs-" + suffix);
    private final String runsTable = ResultsQueueFixture.runsTable("pullab-runs-" + suffix);
    private final DynamoDbRunStore runs = new DynamoDbRunStore(dynamo, runsTable);
    private final KcidbReceiverDouble kcidb = KcidbReceiverDouble.start(SECRET, KcidbValidator::validate);
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    private final AnalyzerSettings settings = new AnalyzerSettings(aws.region().id(), runsTable, Optional.of(bucket),
            Optional.of(new KcidbSettings(kcidb.submitUrl(), KcidbReceiverDouble.jwt(SECRET, "pullab_test"),
                    "pullab_test")),
            Optional.of(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN))), AnalysisOptions.defaults())
            .withLogsUrl(LOGS);
    private final RunCloser closer = CloserAssembly.create(settings, s3, dynamo, FAST, clock);
    private final String job = KernelCiFixtures.nodeId(5100);
    private final String prefix = "run_pulllab-" + job + "-" + suffix + "_20261205_070000";
    private final String stageLog = BANNER + "\n+ curl -sf -H 'Authorization: Bearer " + TOKEN + "' "
            + "https://api.kernelci.org/latest/node\n+ export AWS_ACCESS_KEY_ID=" + AWS_KEY_ID + "\nboot: pass\n";

    @AfterEach
    void stop() {
        kcidb.close();
        api.close();
    }

    private void startRun(List<String> instances) {
        api.putNode(KernelCiFixtures.job(job, "pull-labs-aws-ec2", "qemu-x86_64"));
        runs.createIfAbsent(new RunRecord(prefix, "pulllab-" + job, Optional.of(job), Executor.EC2, List.of("boot"),
                List.of(), instances.size(), instances.stream().map(id -> LaunchedVm.of("boot", id)).toList(),
                RunRecord.RunState.RUNNING, clock.instant().getEpochSecond(),
                clock.instant().getEpochSecond() + 3600));
    }

    private static String dir(String instance) {
        return "test_boot/output/" + instance + "/";
    }

    private String rawKey(String instance, String name) {
        return prefix + "/" + dir(instance) + name;
    }

    /** A VM that booted and reported: its stage log (with secrets in its trace), client log, results, result.txt. */
    private void reportedVm() {
        put(rawKey(VM_A, "run-1-output.log"), stageLog);
        put(rawKey(VM_A, "client-1.log"), "client: uploading outputs\n");
        put(rawKey(VM_A, "results.json"), "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 4000}}");
        put(rawKey(VM_A, "result.txt"), "SUCCESS\n");
    }

    private void closeByNotification() {
        ResultsQueueFixture.deliver(new ResultsQueueHandler(closer), ResultsQueueFixture.receiveAll(sqs, queue));
    }

    private void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    private Optional<String> object(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    private ArtifactManifest manifest() {
        return ArtifactManifest.parse(object(prefix + "/artifacts.json").orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Artifact artifact(ArtifactManifest manifest, String instance, String kind) {
        return manifest.of("boot", instance).stream().filter(a -> a.kind().equals(kind)).findFirst().orElseThrow();
    }

    private static URI link(String rawKey) {
        return URI.create(LOGS + "/" + rawKey);
    }

    private static String sha256(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("the stage log is published under logs/ scrubbed: token and AWS key id gone, the banner kept")
    void stageLogPublishedScrubbed() {
        startRun(List.of(VM_A));
        reportedVm();

        closeByNotification();

        String published = object("logs/" + rawKey(VM_A, "run-1-output.log")).orElseThrow();
        assertThat(published).doesNotContain(TOKEN).doesNotContain(AWS_KEY_ID)
                .contains("[REDACTED:kernelci_token]").contains("[REDACTED:aws_access_key_id]")
                .startsWith(BANNER + "\n").endsWith("boot: pass\n");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("logs/" + rawKey(VM_A, "run-1-output.log")))
                .contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(object(rawKey(VM_A, "run-1-output.log"))).contains(stageLog);
    }

    @Test
    @DisplayName("artifacts.json lists every object with its sha256 and size, and the absent console as missing")
    void manifestListsEveryObject() throws Exception {
        startRun(List.of(VM_A));
        reportedVm();

        closeByNotification();

        ArtifactManifest manifest = manifest();
        assertThat(manifest.schemaVersion()).isEqualTo(1);
        assertThat(manifest.runPrefix()).isEqualTo(prefix);
        assertThat(manifest.s3Bucket()).isEqualTo(bucket);
        assertThat(manifest.origin()).contains("pullab_test");
        assertThat(manifest.of("boot", VM_A)).extracting(Artifact::kind).containsExactly("client-1.log",
                "console-output.log", "result.txt", "results.json", "run-1-output.log");
        Artifact log = artifact(manifest, VM_A, "run-1-output.log");
        assertThat(log.status()).isEqualTo(ArtifactManifest.Status.READY);
        assertThat(log.sha256()).contains(sha256(stageLog));
        assertThat(log.sizeBytes()).isEqualTo(stageLog.getBytes(StandardCharsets.UTF_8).length);
        assertThat(log.s3Uri()).isEqualTo("s3://" + bucket + "/" + rawKey(VM_A, "run-1-output.log"));
        assertThat(artifact(manifest, VM_A, "result.txt").sha256()).contains(sha256("SUCCESS\n"));
        assertThat(artifact(manifest, VM_A, "results.json").sizeBytes()).isPositive();
        Artifact console = artifact(manifest, VM_A, "console-output.log");
        assertThat(console.status()).isEqualTo(ArtifactManifest.Status.MISSING);
        assertThat(console.logUrl()).isEmpty();
    }

    @Test
    @DisplayName("KCIDB's log_url and the job node's test_log are PULLAB_LOGS_URL/<raw key>; the client log an "
            + "output file")
    void linksUnderLogsUrl() {
        startRun(List.of(VM_A));
        reportedVm();

        closeByNotification();

        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(kcidb.allSubmissionsValid()).isTrue();
        JsonNode boot = kcidb.submissions().get(0).body().get("tests").get(0);
        assertThat(boot.get("log_url").asText()).isEqualTo(link(rawKey(VM_A, "run-1-output.log")).toString());
        assertThat(boot.at("/output_files/0/name").asText()).isEqualTo("client-1.log");
        assertThat(boot.at("/output_files/0/url").asText()).isEqualTo(link(rawKey(VM_A, "client-1.log")).toString());
        JsonNode node = api.node(job).orElseThrow();
        assertThat(node.at("/artifacts/test_log").asText())
                .isEqualTo(link(rawKey(VM_A, "run-1-output.log")).toString());
    }

    @Test
    @DisplayName("a silent VM closed overdue gets its published console as the log of its MISS test and the job")
    void silentVmLinksItsConsole() {
        startRun(List.of(VM_A, VM_B));
        reportedVm();
        ResultsQueueFixture.receiveAll(sqs, queue); // VM_B never reports: the sweeper closes the run
        put(rawKey(VM_B, "console-output.log"),
                BANNER + "\nKernel panic - not syncing: VFS: Unable to mount root fs\n");

        closer.closeOverdue(bucket, runs.find(prefix).orElseThrow(), Map.of(VM_A, "boot", VM_B, "boot"));

        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("MISS");
            assertThat(t.get("log_url").asText()).isEqualTo(link(rawKey(VM_B, "console-output.log")).toString());
        });
        assertThat(object("logs/" + rawKey(VM_B, "console-output.log"))).hasValueSatisfying(c -> assertThat(c)
                .contains("Kernel panic - not syncing"));
        assertThat(artifact(manifest(), VM_B, "result.txt").status()).isEqualTo(ArtifactManifest.Status.MISSING);
    }
}
