package dev.pullab.aws;

import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Fresh poller tables and jobs queue, uniquely named per use: for an emulator (tests, benches, a local lab). */
public final class PollerTables {

    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final String cursorTable;
    private final String jobsTable;
    private final String queueUrl;

    private PollerTables(DynamoDbClient dynamo, SqsClient sqs, String cursorTable, String jobsTable, String queueUrl) {
        this.dynamo = dynamo;
        this.sqs = sqs;
        this.cursorTable = cursorTable;
        this.jobsTable = jobsTable;
        this.queueUrl = queueUrl;
    }

    /** Creates the tables and the queue with the given clients (an emulator's: this is for local labs and tests). */
    public static PollerTables create(DynamoDbClient dynamo, SqsClient sqs) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
        String cursors = "pullab-cursor-" + suffix;
        String jobs = "pullab-jobs-" + suffix;
        enhanced.table(cursors, TableSchema.fromBean(CursorItem.class)).createTable();
        enhanced.table(jobs, TableSchema.fromBean(JobItem.class)).createTable();
        String queue = sqs.createQueue(b -> b.queueName("pullab-jobs-" + suffix + ".fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        return new PollerTables(dynamo, sqs, cursors, jobs, queue);
    }

    public DynamoDbCursorStore cursors() {
        return new DynamoDbCursorStore(enhanced(), cursorTable, Clock.systemUTC());
    }

    public DynamoDbJobLedger ledger() {
        return new DynamoDbJobLedger(enhanced(), jobsTable, Clock.systemUTC());
    }

    public SqsJobQueue queue() {
        return new SqsJobQueue(sqs, queueUrl);
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public String cursorTable() {
        return cursorTable;
    }

    public String jobsTable() {
        return jobsTable;
    }

    public String queueUrl() {
        return queueUrl;
    }

    /** Every message now on the queue (received and deleted), as tickets. */
    public List<JobTicket> receiveAll() {
        List<JobTicket> tickets = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return tickets;
            }
            for (Message m : batch) {
                tickets.add(JobTicketJson.read(m.body()));
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private DynamoDbEnhancedClient enhanced() {
        return DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build();
    }
}
