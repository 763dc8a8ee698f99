package dev.pullab.aws;

import dev.pullab.core.poll.JobQueue;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The jobs queue: an SQS FIFO queue. Each ticket's group id and deduplication id is its node id, so a ticket sent
 * again within SQS's 5-minute deduplication window (a re-run after a crash) is dropped by SQS, and jobs do not wait
 * for each other (one group per job).
 */
public final class SqsJobQueue implements JobQueue {

    private static final int BATCH = 10;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(List<JobTicket> tickets) {
        for (int start = 0; start < tickets.size(); start += BATCH) {
            List<JobTicket> batch = tickets.subList(start, Math.min(tickets.size(), start + BATCH));
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                JobTicket ticket = batch.get(i);
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .messageBody(JobTicketJson.write(ticket))
                        .messageGroupId(ticket.nodeId())
                        .messageDeduplicationId(ticket.nodeId())
                        .build());
            }
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("jobs queue refused " + response.failed().size() + " of "
                        + batch.size() + " tickets: " + response.failed().stream()
                                .map(f -> batch.get(Integer.parseInt(f.id())).nodeId() + " " + f.code() + " "
                                        + f.message())
                                .collect(Collectors.joining("; ")));
            }
        }
    }
}
