package dev.pullab.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.PollerSettings;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.job.JobTicket;
import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import dev.pullab.aws.PollerTables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The handler as the scheduled invocation runs it: API double over HTTP, DynamoDB and SQS on the emulator. */
class PollHandlerIT {

    private static final String RUNTIME = "pull-labs-aws-ec2";
    private static final String TOKEN = "maestro-token";

    private final KernelCiApiDouble api = KernelCiApiDouble.start(TOKEN);
    private final PollerTables aws = PollerTables.create(AwsEmulator.get().client(DynamoDbClient.builder()),
            AwsEmulator.get().client(SqsClient.builder()));
    private final PollHandler handler = new PollHandler(new PollerSettings(api.baseUri(), Optional.of(TOKEN), RUNTIME,
            Set.of(), 30, 100, Optional.of(aws.cursorTable()), Optional.of(aws.jobsTable()),
            Optional.of(aws.queueUrl())), aws.dynamo(), aws.sqs(),
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(2)));

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    @DisplayName("an invocation queues the available jobs and answers what it did")
    void givenJobs_whenInvoked_thenQueuedAndReported() {
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(1), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(2), RUNTIME, "qemu-arm64"), "2026-05-20T10:00:02");

        Map<String, Object> result = handler.handleRequest(Map.of(), new LambdaContext(60_000));

        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId)
                .containsExactlyInAnyOrder(KernelCiFixtures.nodeId(1), KernelCiFixtures.nodeId(2));
        assertThat(result).containsEntry("jobs_found", 2).containsEntry("caught_up", true)
                .containsEntry("cursor", "2026-05-20T10:00:01");
        assertThat((List<?>) result.get("jobs_queued")).hasSize(2);
    }

    @Test
    @DisplayName("a claim the API rejects as malformed (422) fails the invocation naming the job; the next invocation"
            + " claims and queues it")
    void givenClaimRejected_whenInvoked_thenInvocationFailsAndNextOneQueues() {
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(1), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
        api.delayNext(2, Duration.ZERO); // GET /events and the claim's GET /node pass
        api.failNext(1, 422);            // the claim's PATCH is rejected

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), new LambdaContext(60_000)))
                .hasMessageContaining("rejected 1 claim(s) as malformed").hasMessageContaining(KernelCiFixtures.nodeId(1))
                .hasMessageContaining("HTTP 422");
        assertThat(aws.receiveAll()).isEmpty();
        assertThat(api.node(KernelCiFixtures.nodeId(1)).orElseThrow().at("/data/job_id").isMissingNode()).isTrue();

        Map<String, Object> next = handler.handleRequest(Map.of(), new LambdaContext(60_000));

        assertThat(next.get("jobs_queued")).isEqualTo(List.of(KernelCiFixtures.nodeId(1)));
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId).containsExactly(KernelCiFixtures.nodeId(1));
    }

    @Test
    @DisplayName("the next scheduled invocation finds nothing new")
    void givenSecondInvocation_whenNothingNew_thenNothingQueued() {
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(1), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");
        handler.handleRequest(Map.of(), new LambdaContext(60_000));
        aws.receiveAll();

        Map<String, Object> second = handler.handleRequest(Map.of(), new LambdaContext(60_000));

        assertThat(aws.receiveAll()).isEmpty();
        assertThat((List<?>) second.get("jobs_queued")).isEmpty();
    }

    @Test
    @DisplayName("an invocation with less time left than the safety margin reads nothing and leaves the cursor")
    void givenNoTimeLeft_whenInvoked_thenNoPage() {
        api.addJob(KernelCiFixtures.job(KernelCiFixtures.nodeId(1), RUNTIME, "qemu-x86_64"), "2026-05-20T10:00:01");

        Map<String, Object> result = handler.handleRequest(Map.of(),
                new LambdaContext((int) PollHandler.SAFETY_MARGIN.toMillis() - 1));

        assertThat(result).containsEntry("events", 0).containsEntry("caught_up", false);
        assertThat(api.requests()).isEmpty();
    }
}
