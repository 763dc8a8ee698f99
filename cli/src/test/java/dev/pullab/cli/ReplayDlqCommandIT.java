package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.AwsEmulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code pullab replay-dlq} from the jar against SQS on the emulator. */
class ReplayDlqCommandIT {

    @TempDir
    Path dir;

    @Test
    @DisplayName("every dead-lettered message goes back to its queue, once, and leaves the DLQ")
    void givenDeadLetters_whenReplayed_thenBackInQueueAndDlqEmpty() throws Exception {
        AwsEmulator aws = AwsEmulator.get();
        SqsClient sqs = aws.client(SqsClient.builder());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String dlq = sqs.createQueue(b -> b.queueName("dlq-" + suffix)).queueUrl();
        String queue = sqs.createQueue(b -> b.queueName("jobs-" + suffix + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        for (int i = 0; i < 12; i++) {
            String body = "{\"n\": " + i + "}";
            sqs.sendMessage(b -> b.queueUrl(dlq).messageBody(body));
        }
        List<String> env = new ArrayList<>();
        aws.environment().forEach((k, v) -> env.add(k + "=" + v));

        JarRun run = JarRun.run(dir, env, "replay-dlq", "--dlq", dlq, "--to", queue);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("12 message(s) moved");
        List<String> bodies = new ArrayList<>();
        for (int empty = 0; empty < 2; ) {
            var batch = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)).messages();
            if (batch.isEmpty()) {
                empty++;
            }
            batch.forEach(m -> {
                bodies.add(m.body());
                sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
            });
        }
        assertThat(bodies).hasSize(12).doesNotHaveDuplicates();
        assertThat(sqs.receiveMessage(b -> b.queueUrl(dlq)).messages()).isEmpty();
    }
}
