package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunProgress;
import dev.pullab.core.run.RunRecord;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.BadInputCorpus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The S3-notification corpus ({@code bad-input/notifications/}): odd keys and bodies that are not notifications,
 * delivered as results-queue messages to the real {@link ResultsQueueHandler} with the run records in DynamoDB on the
 * AWS emulator. Keys are decoded as S3 encodes them; what is not a VM's {@code result.txt} of a known run is ignored;
 * only a body that is not a notification at all fails, alone, so that it ends in the dead-letter queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3NotificationCorpusIT {

    private final AwsEmulator aws = AwsEmulator.get();
    private final DynamoDbClient dynamo = aws.client(DynamoDbClient.builder());
    private final String bucket = aws.createBucket("results");
    private final String runsTable = runsTable();
    private final DynamoDbRunStore runs = new DynamoDbRunStore(dynamo, runsTable);
    private final RunCloser closer = CloserAssembly.create(
            new AnalyzerSettings(aws.region().id(), runsTable, Optional.of(bucket), Optional.empty(),
                    Optional.empty(), AnalysisOptions.defaults()),
            aws.s3(), dynamo, new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5)),
            Clock.systemUTC());
    private final ResultsQueueHandler handler = new ResultsQueueHandler(closer);

    static Stream<BadInputCorpus.Case> notifications() {
        return BadInputCorpus.stream("notifications");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notifications")
    @DisplayName("an odd S3 notification is decoded, ignored, or failed alone; never a retry of what cannot change")
    void givenOddNotification_whenHandled_thenCountedIgnoredOrFailedAlone(BadInputCorpus.Case notification) {
        long now = Clock.systemUTC().instant().getEpochSecond();
        RunRecord.RunState state = RunRecord.RunState.valueOf(notification.string("state").orElse("RUNNING"));
        notification.strings("runs").forEach(prefix -> runs.createIfAbsent(new RunRecord(prefix, "t", Optional.empty(),
                Executor.EC2, List.of("kernelci-boot"), List.of(), 2, launched(notification, prefix), state, now,
                now + 3600)));
        String body = new String(notification.bytes(), StandardCharsets.UTF_8).replace("{bucket}", bucket);
        String id = "m-" + UUID.randomUUID();

        SQSBatchResponse response = handler.handleRequest(batch(id, body), null);

        List<String> failures = response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        switch (notification.required("expect")) {
            case "failed" -> {
                assertThat(failures).containsExactly(id);
                assertThatThrownBy(() -> S3Notifications.finishedVms(body))
                        .isInstanceOf(IllegalArgumentException.class)
                        .satisfies(e -> notification.strings("message").forEach(part -> assertThat(e)
                                .hasMessageContaining(part)));
            }
            case "retried" -> {
                assertThat(failures).containsExactly(id);
                notification.strings("runs").forEach(prefix -> assertThat(reported(prefix)).as(prefix).isEmpty());
                assertThatThrownBy(() -> S3Notifications.finishedVms(body).forEach(closer::vmFinished))
                        .isInstanceOf(RunBusyException.class)
                        .hasMessageContaining(notification.required("message"));
            }
            case "ignored" -> {
                assertThat(failures).isEmpty();
                notification.strings("runs").forEach(prefix -> assertThat(reported(prefix)).as(prefix).isEmpty());
                notification.string("unknown_run").ifPresent(prefix -> assertThat(runs.find(prefix)).isEmpty());
            }
            case "counted" -> {
                assertThat(failures).isEmpty();
                for (Map.Entry<String, JsonNode> run : notification.spec().path("reported").properties()) {
                    List<String> vms = new ArrayList<>();
                    run.getValue().forEach(vm -> vms.add(vm.asText()));
                    assertThat(reported(run.getKey())).as(run.getKey()).containsExactlyInAnyOrderElementsOf(vms);
                }
            }
            default -> throw new IllegalStateException("unknown expectation in " + notification);
        }
    }

    /** The VMs the case says the run launched: {@code launched}, else those it expects counted, else one. */
    private static List<LaunchedVm> launched(BadInputCorpus.Case notification, String prefix) {
        List<String> keys = notification.strings("launched");
        if (keys.isEmpty()) {
            keys = new ArrayList<>();
            for (JsonNode vm : notification.spec().path("reported").path(prefix)) {
                keys.add(vm.asText());
            }
        }
        if (keys.isEmpty()) {
            keys = List.of("kernelci-boot/i-0aaa");
        }
        return keys.stream().map(LaunchedVm::fromKey).toList();
    }

    private Set<String> reported(String prefix) {
        return runs.progress(prefix).map(RunProgress::reported).orElse(Set.of());
    }

    private static SQSEvent batch(String id, String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(id);
        message.setBody(body);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    private String runsTable() {
        return ResultsQueueFixture.runsTable("pullab-runs-" + UUID.randomUUID().toString().substring(0, 8));
    }
}
