package dev.pullab.analyzer.close;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import dev.pullab.testkit.AwsEmulator;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The analyzer ITs' plumbing on the emulator: the runs table, the notifying queue, and Lambda's SQS delivery. */
final class ResultsQueueFixture {

    private ResultsQueueFixture() {
    }

    /** A runs table (key {@code run_id}) named {@code name}. */
    static String runsTable(String name) {
        return AwsEmulator.get().createTable(name, "run_id");
    }

    /** A queue the bucket notifies of every {@code result.txt}, as the stack configures it. */
    static String notifyingQueue(SqsClient sqs, S3Client s3, String bucket, String queueName) {
        String url = sqs.createQueue(b -> b.queueName(queueName)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        s3.putBucketNotificationConfiguration(b -> b.bucket(bucket).notificationConfiguration(n -> n
                .queueConfigurations(q -> q.queueArn(arn).events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(r -> r.name("suffix")
                                .value("result.txt")))))));
        return url;
    }

    /** Every message in the queue (until two empty receives), deleted from it. */
    static List<Message> receiveAll(SqsClient sqs, String queue) {
        List<Message> all = new ArrayList<>();
        for (int empty = 0; empty < 2; ) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)).messages();
            if (batch.isEmpty()) {
                empty++;
                continue;
            }
            all.addAll(batch);
            batch.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle())));
        }
        return all;
    }

    /** The messages as one SQS event to the handler, as Lambda's event source mapping hands them over. */
    static SQSBatchResponse deliver(ResultsQueueHandler handler, List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(m.messageId());
            record.setBody(m.body());
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return handler.handleRequest(event, null);
    }
}
