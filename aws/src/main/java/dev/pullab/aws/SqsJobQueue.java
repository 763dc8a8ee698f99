package dev.pullab.aws;

import dev.pullab.core.poll.JobQueue;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import java.nio.charset.StandardCharsets;
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

    /** At most this many tickets per {@code SendMessageBatch} (SQS's limit). */
    static final int BATCH = 10;
    /**
     * At most this many bytes of message bodies per {@code SendMessageBatch}: SQS refuses a whole batch over its
     * payload limit (256 KiB for all entries together), and a refused batch would fail every poll of that page, so
     * a batch closes before it gets there. A single ticket larger than that goes alone and SQS says why.
     */
    static final int BATCH_BYTES = 240 * 1024;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsJobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void send(List<JobTicket> tickets) {
        List<JobTicket> batch = new ArrayList<>(BATCH);
        List<String> bodies = new ArrayList<>(BATCH);
        int bytes = 0;
        for (JobTicket ticket : tickets) {
            String body = JobTicketJson.write(ticket);
            int size = body.getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && (batch.size() == BATCH || bytes + size > BATCH_BYTES)) {
                sendBatch(batch, bodies);
                batch.clear();
                bodies.clear();
                bytes = 0;
            }
            batch.add(ticket);
            bodies.add(body);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            sendBatch(batch, bodies);
        }
    }

    private void sendBatch(List<JobTicket> batch, List<String> bodies) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            JobTicket ticket = batch.get(i);
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i))
                    .messageBody(bodies.get(i))
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
