package dev.pullab.aws;

import java.util.List;
import java.util.function.IntConsumer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Moves messages from a dead-letter queue back to the queue that failed them ({@code pullab replay-dlq}). Each message
 * is sent first and deleted from the dead-letter queue after, so a failure in between leaves a copy in both queues,
 * never in neither; the handlers are idempotent, so a copy replayed twice does no harm. A FIFO target keeps the
 * message's group, with {@code replay-<message id>} as deduplication id.
 */
public final class DeadLetterReplay {

    private DeadLetterReplay() {
    }

    /**
     * @param progress called with the running count after each batch
     * @return how many messages were moved
     * @throws software.amazon.awssdk.core.exception.SdkException when an SQS call fails; the messages moved so far
     *                                                            were reported to {@code progress}
     */
    public static int replay(SqsClient sqs, String deadLetterQueueUrl, String targetQueueUrl, int max,
            IntConsumer progress) {
        boolean fifo = targetQueueUrl.endsWith(".fifo");
        int replayed = 0;
        while (replayed < max) {
            int wanted = Math.min(10, max - replayed);
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(deadLetterQueueUrl).maxNumberOfMessages(wanted)
                    .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                    .messages();
            if (batch.isEmpty()) {
                break;
            }
            for (Message m : batch) {
                SendMessageRequest.Builder send = SendMessageRequest.builder().queueUrl(targetQueueUrl)
                        .messageBody(m.body());
                if (fifo) {
                    String group = m.attributes().getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID,
                            m.messageId());
                    send.messageGroupId(group).messageDeduplicationId("replay-" + m.messageId());
                }
                sqs.sendMessage(send.build());
                sqs.deleteMessage(b -> b.queueUrl(deadLetterQueueUrl).receiptHandle(m.receiptHandle()));
                replayed++;
            }
            progress.accept(replayed);
        }
        return replayed;
    }
}
