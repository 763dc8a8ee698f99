package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.aws.Ec2ConsoleReader;
import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.launch.VmTags;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.SettableClock;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Closing runs against real components: S3 notifying an SQS queue on every {@code result.txt} (moto), DynamoDB,
 * EC2 for the sweeper, the KCIDB receiver double (checks the JWT as kcidb-restd-rs does) and the KernelCI double.
 */
class RunCloserIT {

    private static final String SECRET = "kcidb-secret";
    private static final String TOKEN = "maestro-token";
    private static final String HEADER = "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,"
            + "arch\n";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofSeconds(3));

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final SqsClient sqs = aws.client(SqsClient.builder());
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final Ec2Client ec2 = aws.client(Ec2Client.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = aws.createBucket("results");
    private final String queue = notifyingQueue();
    private final String runsTable = runsTable();
    private final DynamoDbRunStore runs = new DynamoDbRunStore(dynamo, runsTable);
    private final KcidbReceiverDouble kcidb = KcidbReceiverDouble.start(SECRET, KcidbValidator::validate);
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final SettableClock clock = new SettableClock(Instant.now());
    private final AnalyzerSettings settings = new AnalyzerSettings(aws.region().id(), runsTable, Optional.of(bucket),
            Optional.of(new KcidbSettings(kcidb.submitUrl(), KcidbReceiverDouble.jwt(SECRET, "pullab_test"),
                    "pullab_test")),
            Optional.of(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN))), AnalysisOptions.defaults());
    private final RunCloser closer = CloserAssembly.create(settings, s3, dynamo, FAST, clock);
    private final ResultsQueueHandler handler = new ResultsQueueHandler(closer);

    @AfterEach
    void stop() {
        kcidb.close();
        api.close();
    }

    @Test
    @DisplayName("a 2-VM benchmark run of a KernelCI job: one valid KCIDB revision, the node finished, a report")
    void givenTwoVmsReport_whenNotified_thenSubmittedFinishedAndReported() {
        String prefix = run(job(1), 2, List.of("i-aaa", "i-bbb"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 4000}}", 1000, 700);
        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 4100}}", 1002, 703);

        deliver(receiveAll());

        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(kcidb.allSubmissionsValid()).isTrue();
        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("path").asText()).isEqualTo("boot");
            assertThat(t.get("status").asText()).isEqualTo("PASS");
        });
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("path").asText()).isEqualTo("bench.Process_Creation");
            assertThat(t.get("status").asText()).isEqualTo("FAIL");
            assertThat(t.at("/number/value").asDouble()).isPositive();
        });
        JsonNode node = api.node(job(1)).orElseThrow();
        assertThat(node.get("state").asText()).isEqualTo("done");
        assertThat(node.get("result").asText()).isEqualTo("pass");
        assertThat(api.nodes()).anySatisfy(n -> assertThat(n.path("parent").asText()).isEqualTo(job(1)));
        assertThat(s3.headObject(b -> b.bucket(bucket).key(prefix + "/analysis/report.json")).contentLength())
                .isPositive();
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
        assertThat(runs.progress(prefix).orElseThrow().verdict()).as("recorded for pullab runs")
                .hasValueSatisfying(v -> assertThat(v).endsWith("VMs: 2/2 spawned, 2 successful, 0 failed, 0 missing"));
    }

    @Test
    @DisplayName("a closed run has an HTML report beside its JSON, and the lab's index.html links it with its verdict")
    void givenRunClosed_whenReported_thenHtmlReportAndIndex() {
        String prefix = run(job(21), 2, List.of("i-aaa", "i-bbb"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}, \"ltp.fcntl36\": {\"status\": \"fail\"}}",
                1000, 700);
        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1002, 703);

        deliver(receiveAll());

        String html = s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "/analysis/report.html")).asUtf8String();
        assertThat(html).contains("id=\"verdict\">regression (bench)</p>")
                .contains("VMs: 2/2 spawned, 2 successful, 0 failed, 0 missing")
                .contains("<h3 class=\"fail\">ltp: 1 fail</h3>")
                .contains("id=\"verdict-1\">REGRESSION in 1 metric (Process_Creation")
                .contains("src=\"data:image/png;base64,");
        assertThat(s3.headObject(b -> b.bucket(bucket).key(prefix + "/analysis/report.html")).contentType())
                .isEqualTo("text/html; charset=utf-8");
        String index = s3.getObjectAsBytes(b -> b.bucket(bucket).key("index.html")).asUtf8String();
        assertThat(index).contains("<a href=\"" + prefix + "/analysis/report.html\">" + prefix + "</a>")
                .contains(">regression (bench)</span>");
    }

    @Test
    @DisplayName("a result under the run from a VM it never launched neither closes it nor reaches KCIDB or the report")
    void givenForgedVm_whenNotified_thenIgnoredAndRunClosedOnItsOwnVms() {
        String prefix = run(job(12), 2, List.of("i-aaa", "i-bbb"));
        vm(prefix, "i-evil", "SUCCESS", "{\"forged\": {\"status\": \"fail\"}}", 1000, 10);
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);

        deliver(receiveAll());

        assertThat(kcidb.submissions()).isEmpty();
        assertThat(runs.progress(prefix).orElseThrow().reported()).containsExactly("bench/i-aaa");

        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        deliver(receiveAll());

        assertThat(kcidb.submissions()).hasSize(1);
        String submitted = kcidb.submissions().get(0).body().toString();
        assertThat(submitted).contains("i-aaa", "i-bbb").doesNotContain("i-evil").doesNotContain("forged");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "/analysis/report.json")).asUtf8String())
                .doesNotContain("i-evil");
        assertThat(api.node(job(12)).orElseThrow().get("result").asText()).isEqualTo("pass");
    }

    @Test
    @DisplayName("every notification three times and out of order: one submission, one node finish")
    void givenDuplicatesOutOfOrder_whenNotified_thenExactlyOnce() {
        String prefix = run(job(2), 2, List.of("i-aaa", "i-bbb"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        List<Message> messages = receiveAll();
        List<Message> storm = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            storm.addAll(messages);
        }
        Collections.shuffle(storm, new Random(7));

        for (Message m : storm) {
            deliver(List.of(m));
        }

        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(api.requests()).filteredOn(r -> r.method().equals("PUT")).hasSize(1);
    }

    @Test
    @DisplayName("a crash after the submission, before the node finish: the retry finishes it without re-submitting")
    void givenNodeFinishFailsAfterSubmission_whenRetried_thenFinishedWithoutResubmitting() {
        String prefix = run(job(3), 1, List.of("i-aaa"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        List<Message> messages = receiveAll();
        AnalyzerSettings rejectedToken = new AnalyzerSettings(settings.region(), settings.runsTable(),
                settings.resultsBucket(), settings.kcidb(),
                Optional.of(new KernelCiAccess(api.baseUri(), Optional.of("revoked-token"))), settings.options());
        ResultsQueueHandler failing = new ResultsQueueHandler(CloserAssembly.create(rejectedToken, s3, dynamo, FAST,
                clock));

        SQSBatchResponse first = deliver(failing, messages);
        assertThat(first.getBatchItemFailures()).hasSize(1);
        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(api.node(job(3)).orElseThrow().get("state").asText()).isEqualTo("available");

        clock.advance(RunCloser.LEASE.plusSeconds(1));
        SQSBatchResponse retry = deliver(messages);

        assertThat(retry.getBatchItemFailures()).isEmpty();
        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(api.node(job(3)).orElseThrow().get("state").asText()).isEqualTo("done");
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
    }

    @Test
    @DisplayName("a notification while another invocation holds the analysis lease is not acknowledged; after the"
            + " lease its redelivery closes the run")
    void givenAnalysisLeasedByADeadInvocation_whenRedelivered_thenNotAckedUntilTheLeaseEndsThenClosed() {
        String prefix = run(job(11), 1, List.of("i-aaa"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        List<Message> messages = receiveAll();
        long start = clock.instant().getEpochSecond();
        assertThat(runs.startAnalysis(prefix, start, start + RunCloser.LEASE.toSeconds())).isTrue(); // then it died

        SQSBatchResponse duplicate = deliver(messages);

        assertThat(duplicate.getBatchItemFailures()).hasSize(1);
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.ANALYSING);
        assertThat(kcidb.submissions()).isEmpty();

        clock.advance(RunCloser.LEASE.plusSeconds(1));
        SQSBatchResponse redelivery = deliver(messages);

        assertThat(redelivery.getBatchItemFailures()).isEmpty();
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
        assertThat(kcidb.submissions()).hasSize(1);
        assertThat(api.node(job(11)).orElseThrow().get("state").asText()).isEqualTo("done");
    }

    @Test
    @DisplayName("KCIDB answering 500 then 200: submitted once")
    void givenKcidbFlaky_whenNotified_thenOneSubmission() {
        String prefix = run(job(4), 1, List.of("i-aaa"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        kcidb.failNext(1, 500);

        SQSBatchResponse response = deliver(receiveAll());

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(kcidb.submissions()).hasSize(1);
    }

    // A malformed results.json on one VM: see the corpus of ResultsJsonCorpusIT (bad-input/results/).

    @Test
    @DisplayName("a malformed CSV on one VM: that VM is ERROR with the file and line, the other VMs analysed")
    void givenMalformedCsvOnOneVm_whenClosed_thenErrorForThatVmAndAnalysisOfTheRest() {
        String prefix = run(job(7), 3, List.of("i-aaa", "i-bbb", "i-ccc"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 700);
        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1002, 702);
        vm(prefix, "i-ccc", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1001, 701);
        // the VM's tip CSV is broken (as if the stage wrote garbage); read when the run is closed
        put(prefix + "/test_bench/output/i-ccc/benchmark-tip-1.csv", HEADER + "Process_Creation,lps,fast,true,6.1.150,"
                + "i-ccc,m5.large,x86_64\n");

        deliver(receiveAll());

        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("ERROR");
            assertThat(t.toString()).contains("benchmark-tip-1.csv:2").contains("i-ccc");
        });
        assertThat(tests).anySatisfy(t -> assertThat(t.get("path").asText()).isEqualTo("bench.Process_Creation"));
        assertThat(s3.headObject(b -> b.bucket(bucket).key(prefix + "/analysis/report.json")).contentLength())
                .isPositive();
    }

    @Test
    @DisplayName("two benchmark CSVs over the per-file read limit on one VM: not read, that VM is ERROR naming the "
            + "limit, the run closes and reports the other VMs")
    void givenOversizedCsvsOnOneVm_whenClosed_thenNamedProblemAndRunClosed() {
        AnalyzerSettings limited = new AnalyzerSettings(settings.region(), settings.runsTable(),
                settings.resultsBucket(), settings.kcidb(), settings.kernelci(), settings.options(),
                new ReadLimits(64 << 10, 1 << 20, 4 << 20));
        ResultsQueueHandler limitedHandler = new ResultsQueueHandler(
                CloserAssembly.create(limited, s3, dynamo, FAST, clock));
        String prefix = run(job(8), 3, List.of("i-aaa", "i-bbb", "i-ccc"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 700);
        vm(prefix, "i-bbb", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1002, 702);
        vm(prefix, "i-ccc", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1001, 701);
        String runaway = HEADER + "Process_Creation,lps,1001,true,6.1.150,i-ccc,m5.large,x86_64\n".repeat(2000);
        put(prefix + "/test_bench/output/i-ccc/benchmark-base-1.csv", runaway);
        put(prefix + "/test_bench/output/i-ccc/benchmark-tip-1.csv", runaway);

        SQSBatchResponse response = deliver(limitedHandler, receiveAll());

        assertThat(response.getBatchItemFailures()).isEmpty();
        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("ERROR");
            assertThat(t.at("/misc/instance_id").asText()).isEqualTo("i-ccc");
            assertThat(t.path("comment").asText()).contains("benchmark-base-1.csv: not read: " + runaway.length()
                    + " bytes is over the limit of 65536 bytes per file");
        });
        assertThat(tests).anySatisfy(t -> assertThat(t.get("path").asText()).isEqualTo("bench.Process_Creation"));
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
        assertThat(s3.headObject(b -> b.bucket(bucket).key(prefix + "/analysis/report.json")).contentLength())
                .isPositive();
    }

    @Test
    @DisplayName("the sweeper: a VM never reporting is terminated, counted MISS, and the run is closed")
    void givenOverdueRun_whenSwept_thenMissTerminatedClosed() {
        String live = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.RUN).value("run_sweep_" + suffix).build(),
                        Tag.builder().key(VmTags.TEST).value("bench").build()).build()))
                .instances().get(0).instanceId();
        String prefix = "run_sweep_" + suffix;
        runs.createIfAbsent(new RunRecord(prefix, "sweep", Optional.of(job(6)), Executor.EC2, List.of("bench"),
                List.of(), 2, List.of(LaunchedVm.of("bench", "i-aaa"), LaunchedVm.of("bench", live)), RunRecord.RunState.RUNNING, 0, 10));
        api.putNode(KernelCiFixtures.job(job(6), "pull-labs-aws-ec2", "qemu-x86_64"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        receiveAll();

        Map<String, Object> result = new SweepHandler(runs, closer, new Ec2InstanceReaper(ec2), bucket, clock)
                .handleRequest(Map.of(), null);

        assertThat((int) result.get("overdue_runs")).isGreaterThanOrEqualTo(1);
        assertThat(ec2.describeInstances(b -> b.instanceIds(live)).reservations().get(0).instances().get(0).state()
                .nameAsString()).isIn("terminated", "shutting-down");
        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> assertThat(t.get("status").asText()).isEqualTo("MISS"));
        JsonNode node = api.node(job(6)).orElseThrow();
        assertThat(node.get("state").asText()).isEqualTo("done");
        assertThat(node.get("result").asText()).isEqualTo("incomplete");
        assertThat(node.at("/data/error_code").asText()).isEqualTo("Infrastructure");
        assertThat(node.at("/data/error_msg").asText()).isEqualTo("1 of 2 VMs did not report before the run's deadline");
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
    }

    @Test
    @DisplayName("the sweeper with console capture: the silent VM's console is kept, it still counts MISS and the run"
            + " is closed")
    void givenOverdueRunWithCapture_whenSwept_thenConsoleKeptAndMissClosed() {
        String prefix = "run_sweepconsole_" + suffix;
        String live = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(
                        Tag.builder().key(VmTags.RUN).value(prefix).build(),
                        Tag.builder().key(VmTags.TEST).value("bench").build()).build()))
                .instances().get(0).instanceId();
        runs.createIfAbsent(new RunRecord(prefix, "sweep", Optional.of(job(7)), Executor.EC2, List.of("bench"),
                List.of(), 2, List.of(LaunchedVm.of("bench", "i-aaa"), LaunchedVm.of("bench", live)),
                RunRecord.RunState.RUNNING, 0, 10));
        api.putNode(KernelCiFixtures.job(job(7), "pull-labs-aws-ec2", "qemu-x86_64"));
        vm(prefix, "i-aaa", "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);
        receiveAll();
        ConsoleCapture capture = new ConsoleCapture(new Ec2ConsoleReader(() -> ec2),
                AnalyzerEnvironment.scrubber(settings), new S3ObjectStore(s3), bucket);

        new SweepHandler(runs, closer, new Ec2InstanceReaper(ec2, capture), bucket, clock)
                .handleRequest(Map.of(), null);

        assertThat(s3.headObject(b -> b.bucket(bucket)
                .key(prefix + "/test_bench/output/" + live + "/console-output.log")).contentLength()).isPositive();
        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> assertThat(t.get("status").asText()).isEqualTo("MISS"));
        JsonNode node = api.node(job(7)).orElseThrow();
        assertThat(node.get("result").asText()).isEqualTo("incomplete");
        assertThat(node.at("/data/error_msg").asText()).contains("did not report");
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
    }

    @Test
    @DisplayName("a normal close keeps each launched VM's console beside its outputs before reading them")
    void givenRunCompletes_whenClosed_thenEachVmConsoleKept() {
        String live = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)).instances().get(0)
                .instanceId();
        RunCloser keeping = CloserAssembly.create(settings, s3, dynamo, FAST, clock, new ClosingConsoles(
                new S3ObjectStore(s3), new ConsoleCapture(new Ec2ConsoleReader(() -> ec2),
                        AnalyzerEnvironment.scrubber(settings), new S3ObjectStore(s3), bucket), 10));
        String prefix = run(job(8), 1, List.of(live));
        vm(prefix, live, "SUCCESS", "{\"boot\": {\"status\": \"pass\"}}", 1000, 1000);

        deliver(new ResultsQueueHandler(keeping), receiveAll());

        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket)
                .key(prefix + "/test_bench/output/" + live + "/console-output.log")).asUtf8String())
                .contains("Linux version");
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
    }

    @Test
    @DisplayName("a VM that never reported and whose kept console panicked: the node's message and its MISS test"
            + " say so")
    void givenMissingVmWithPanickedConsole_whenSwept_thenPanicQuoted() {
        String prefix = "run_sweeppanic_" + suffix;
        runs.createIfAbsent(new RunRecord(prefix, "sweep", Optional.of(job(9)), Executor.EC2, List.of("bench"),
                List.of(), 1, List.of(LaunchedVm.of("bench", "i-0aaa1111")), RunRecord.RunState.RUNNING, 0, 10));
        api.putNode(KernelCiFixtures.job(job(9), "pull-labs-aws-ec2", "qemu-x86_64"));
        put(prefix + "/test_bench/output/i-0aaa1111/console-output.log", "[    0.000000] Linux version 6.13\n"
                + "[    1.903500] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"
                + "[    1.905000] Rebooting in 10 seconds..\n");
        receiveAll();

        new SweepHandler(runs, closer, runPrefix -> Map.of(), bucket, clock).handleRequest(Map.of(), null);

        String panic = "kernel panic on the serial console: \"Kernel panic - not syncing: VFS: Unable to mount root fs"
                + " on unknown-block(0,0)\"";
        JsonNode node = api.node(job(9)).orElseThrow();
        assertThat(node.at("/data/error_msg").asText()).isEqualTo(
                "1 of 1 VMs did not report before the run's deadline (i-0aaa1111: " + panic + ")");
        JsonNode tests = kcidb.submissions().get(0).body().get("tests");
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("MISS");
            assertThat(t.get("comment").asText()).contains(panic);
        });
    }

    @Test
    @DisplayName("the runs table's open runs (the watch's): launching or running and not past their deadline")
    void givenRunsInEveryState_whenOpenListed_thenOnlyOpenNotOverdue() {
        long t = clock.instant().getEpochSecond();
        String open = "run_open_" + suffix;
        String overdue = "run_openoverdue_" + suffix;
        String done = "run_opendone_" + suffix;
        runs.createIfAbsent(new RunRecord(open, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(), 1,
                List.of(), RunRecord.RunState.RUNNING, t, t + 3600));
        runs.createIfAbsent(new RunRecord(overdue, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(),
                1, List.of(), RunRecord.RunState.LAUNCHING, t - 7200, t - 1));
        runs.createIfAbsent(new RunRecord(done, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(), 1,
                List.of(), RunRecord.RunState.DONE, t, t + 3600));

        List<String> listed = runs.open(t).stream().map(RunRecord::runPrefix).toList();

        assertThat(listed).contains(open).doesNotContain(overdue, done);
    }

    @Test
    @DisplayName("the runs table's closed runs past their deadline (the sweeper's stray check): DONE, deadline in the"
            + " window")
    void givenRunsInEveryState_whenClosedPastDeadlineListed_thenOnlyDoneInWindow() {
        long t = clock.instant().getEpochSecond();
        String late = "run_donelate_" + suffix;
        String early = "run_doneearly_" + suffix;
        String old = "run_doneold_" + suffix;
        String overdue = "run_notdone_" + suffix;
        runs.createIfAbsent(new RunRecord(late, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(), 1,
                List.of(), RunRecord.RunState.DONE, t - 7200, t - 60));
        runs.createIfAbsent(new RunRecord(early, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(), 1,
                List.of(), RunRecord.RunState.DONE, t, t + 3600));
        runs.createIfAbsent(new RunRecord(old, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(), 1,
                List.of(), RunRecord.RunState.DONE, t - 90000, t - 86400));
        runs.createIfAbsent(new RunRecord(overdue, "o", Optional.empty(), Executor.EC2, List.of("bench"), List.of(),
                1, List.of(), RunRecord.RunState.RUNNING, t - 7200, t - 60));

        List<String> listed = runs.closedPastDeadline(t - 3600, t).stream().map(RunRecord::runPrefix).toList();

        assertThat(listed).contains(late).doesNotContain(early, old, overdue);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private String job(int n) {
        return KernelCiFixtures.nodeId(4200 + n);
    }

    private String run(String jobNode, int vms, List<String> instances) {
        api.putNode(KernelCiFixtures.job(jobNode, "pull-labs-aws-ec2", "qemu-x86_64"));
        String prefix = "run_pulllab-" + jobNode + "-" + suffix + "_20261124_101500";
        runs.createIfAbsent(new RunRecord(prefix, "pulllab-" + jobNode, Optional.of(jobNode), Executor.EC2,
                List.of("bench"), List.of(), vms,
                instances.stream().map(id -> LaunchedVm.of("bench", id)).toList(), RunRecord.RunState.RUNNING, clock.instant().getEpochSecond(),
                clock.instant().getEpochSecond() + 3600));
        return prefix;
    }

    /** One VM's outputs, result.txt last (as the client uploads them). */
    private void vm(String prefix, String instance, String result, String resultsJson, double base, double tip) {
        String dir = prefix + "/test_bench/output/" + instance + "/";
        put(dir + "benchmark-base-1.csv", csv(base, instance, "6.1.141"));
        put(dir + "benchmark-tip-1.csv", csv(tip, instance, "6.1.150"));
        put(dir + "results.json", resultsJson);
        put(dir + "stats.json", "{\"instance_id\": \"" + instance + "\", \"instance_type\": \"m5.large\", "
                + "\"arch\": \"x86_64\"}");
        put(dir + "run-1-output.log", "+ echo stage\nstage\n");
        put(dir + "result.txt", result + "\n");
    }

    private static String csv(double center, String instance, String kernel) {
        StringBuilder rows = new StringBuilder(HEADER);
        for (int i = 0; i < 5; i++) {
            rows.append("Process_Creation,lps,").append(center + i).append(",true,").append(kernel).append(",")
                    .append(instance).append(",m5.large,x86_64\n");
        }
        return rows.toString();
    }

    private void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    private SQSBatchResponse deliver(List<Message> messages) {
        return deliver(handler, messages);
    }

    private static SQSBatchResponse deliver(ResultsQueueHandler target, List<Message> messages) {
        return ResultsQueueFixture.deliver(target, messages);
    }

    private List<Message> receiveAll() {
        return ResultsQueueFixture.receiveAll(sqs, queue);
    }

    private String notifyingQueue() {
        return ResultsQueueFixture.notifyingQueue(sqs, s3, bucket, "results-" + suffix);
    }

    private String runsTable() {
        return ResultsQueueFixture.runsTable("pullab-runs-" + suffix);
    }
}
