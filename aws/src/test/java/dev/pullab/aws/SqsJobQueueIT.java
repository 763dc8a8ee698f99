package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.job.JobTicket;
import dev.pullab.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

/**
 * The jobs queue's batches on the emulator: never over SQS's count or payload limit. moto does not enforce the
 * payload limit (SQS refuses a whole batch over 256 KiB with {@code BatchRequestTooLong}), so each batch sent is
 * also measured on its way out.
 */
class SqsJobQueueIT {

    private static final int SQS_BATCH_PAYLOAD = 256 * 1024;

    /** Each SendMessageBatch sent: its entry count and the bytes of its bodies. */
    private final List<int[]> batches = new CopyOnWriteArrayList<>();
    private final PollerTables aws = PollerTables.create(AwsEmulator.get().client(DynamoDbClient.builder()),
            AwsEmulator.get().client(SqsClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(
                    new ExecutionInterceptor() {
                        @Override
                        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                            if (context.request() instanceof SendMessageBatchRequest batch) {
                                batches.add(new int[] {batch.entries().size(), batch.entries().stream()
                                        .mapToInt(e -> e.messageBody().getBytes(StandardCharsets.UTF_8).length)
                                        .sum()});
                            }
                        }
                    }))));

    private static JobTicket ticket(int n, int definitionBytes) {
        return new JobTicket("node-" + n, "job-" + n, "pull-labs-aws-ec2", "qemu-x86_64", "x86_64",
                "{\"tests\": \"" + "x".repeat(definitionBytes) + "\"}", "kbuild-" + n, "pull-labs-aws-ec2:m-" + n,
                "e" + n, "2026-12-05T10:00:00.000");
    }

    @Test
    @DisplayName("ten tickets whose bodies together exceed SQS's 256 KiB batch payload are all queued, each once")
    void givenLargeTickets_whenSent_thenSplitUnderPayloadLimitAndAllQueued() {
        List<JobTicket> tickets = IntStream.range(0, 10).mapToObj(n -> ticket(n, 60_000)).toList();

        aws.queue().send(tickets);

        assertThat(batches).hasSizeGreaterThan(1)
                .allSatisfy(b -> assertThat(b[1]).as("payload of a batch").isLessThanOrEqualTo(SQS_BATCH_PAYLOAD));
        assertThat(aws.receiveAll()).extracting(JobTicket::nodeId)
                .containsExactlyInAnyOrderElementsOf(tickets.stream().map(JobTicket::nodeId).toList());
    }

    @Test
    @DisplayName("25 small tickets go in batches of at most ten and are all queued")
    void givenManySmallTickets_whenSent_thenAllQueued() {
        List<JobTicket> tickets = IntStream.range(0, 25).mapToObj(n -> ticket(n, 100)).toList();

        aws.queue().send(tickets);

        assertThat(batches).extracting(b -> b[0]).containsExactly(10, 10, 5);
        assertThat(aws.receiveAll()).hasSize(25);
    }
}
