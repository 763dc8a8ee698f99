package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kcidb.KcidbValidator;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The bad results.json corpus ({@code bad-input/results/}): one VM of a KernelCI job's two writes the file, both VMs
 * finish, and S3's notifications of their {@code result.txt} (S3 notifying SQS on the emulator) reach the real
 * {@link ResultsQueueHandler}, with the KCIDB receiver double and the KernelCI API double. The VM's results are an
 * ERROR test naming the problem, the other VM's are kept, and the run closes: the node is finished, the run DONE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResultsJsonCorpusIT {

    private static final String SECRET = "kcidb-secret";
    private static final String TOKEN = "maestro-token";
    private static final String TEST = "kernelci-boot";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofSeconds(5));

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final SqsClient sqs = aws.client(SqsClient.builder());
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String bucket = aws.createBucket("results");
    private final String queue = notifyingQueue();
    private final String runsTable = runsTable();
    private final DynamoDbRunStore runs = new DynamoDbRunStore(dynamo, runsTable);
    private final KcidbReceiverDouble kcidb = KcidbReceiverDouble.start(SECRET, KcidbValidator::validate);
    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final ResultsQueueHandler handler = new ResultsQueueHandler(CloserAssembly.create(
            new AnalyzerSettings(aws.region().id(), runsTable, Optional.of(bucket),
                    Optional.of(new KcidbSettings(kcidb.submitUrl(), KcidbReceiverDouble.jwt(SECRET, "pullab_test"),
                            "pullab_test")),
                    Optional.of(new KernelCiAccess(api.baseUri(), Optional.of(TOKEN))), AnalysisOptions.defaults()),
            s3, dynamo, FAST, Clock.systemUTC()));
    private final AtomicInteger nextJob = new AtomicInteger(5000);

    @AfterAll
    void stop() {
        kcidb.close();
        api.close();
    }

    static Stream<BadInputCorpus.Case> resultsFiles() {
        return BadInputCorpus.stream("results");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resultsFiles")
    @DisplayName("a bad results.json: that VM is an ERROR test naming the problem, the run still closes")
    void givenBadResultsJsonOnOneVm_whenRunCloses_thenErrorNamedAndNodeFinished(BadInputCorpus.Case results) {
        String job = KernelCiFixtures.nodeId(nextJob.incrementAndGet());
        api.putNode(KernelCiFixtures.job(job, "pull-labs-aws-ec2", "qemu-x86_64"));
        String prefix = "run_pulllab-" + job + "-" + suffix + "_20261124_101500";
        long now = Clock.systemUTC().instant().getEpochSecond();
        runs.createIfAbsent(new RunRecord(prefix, "pulllab-" + job, Optional.of(job), Executor.EC2, List.of(TEST),
                List.of(), 2, List.of(LaunchedVm.of(TEST, "i-0good"), LaunchedVm.of(TEST, "i-0bad")), RunRecord.RunState.RUNNING, now, now + 3600));
        int submissionsBefore = kcidb.submissions().size();
        vm(prefix, "i-0good", "{\"boot\": {\"status\": \"pass\", \"duration_ms\": 4000}}".getBytes());
        vm(prefix, "i-0bad", results.bytes());

        SQSBatchResponse response = deliver(receiveAll());

        assertThat(response.getBatchItemFailures()).as("batch item failures").isEmpty();
        assertThat(kcidb.submissions()).hasSize(submissionsBefore + 1);
        JsonNode tests = kcidb.submissions().get(submissionsBefore).body().get("tests");
        assertThat(StreamSupport.stream(tests.spliterator(), false)
                .filter(t -> t.path("status").asText().equals("ERROR"))
                .filter(t -> t.at("/misc/instance_id").asText().equals("i-0bad")).toList())
                .singleElement().satisfies(error -> results.strings("message")
                        .forEach(part -> assertThat(error.path("comment").asText()).contains(part)));
        assertThat(tests).anySatisfy(t -> {
            assertThat(t.path("path").asText()).isEqualTo("boot");
            assertThat(t.path("status").asText()).isEqualTo("PASS");
            assertThat(t.at("/misc/instance_id").asText()).isEqualTo("i-0good");
        });
        assertThat(api.node(job).orElseThrow().get("state").asText()).isEqualTo("done");
        assertThat(runs.find(prefix).orElseThrow().state()).isEqualTo(RunRecord.RunState.DONE);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    /** One VM's outputs, result.txt last (as the client uploads them). */
    private void vm(String prefix, String instance, byte[] resultsJson) {
        String dir = prefix + "/test_" + TEST + "/output/" + instance + "/";
        s3.putObject(b -> b.bucket(bucket).key(dir + "results.json"), RequestBody.fromBytes(resultsJson));
        s3.putObject(b -> b.bucket(bucket).key(dir + "stats.json"), RequestBody.fromString("{\"instance_id\": \""
                + instance + "\", \"instance_type\": \"m5.large\", \"arch\": \"x86_64\"}"));
        s3.putObject(b -> b.bucket(bucket).key(dir + "run-1-output.log"), RequestBody.fromString("+ boot\n"));
        s3.putObject(b -> b.bucket(bucket).key(dir + "result.txt"), RequestBody.fromString("SUCCESS\n"));
    }

    private SQSBatchResponse deliver(List<Message> messages) {
        return ResultsQueueFixture.deliver(handler, messages);
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
