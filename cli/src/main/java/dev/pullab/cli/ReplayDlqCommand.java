package dev.pullab.cli;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.DeadLetterReplay;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code pullab replay-dlq}: moves messages from a dead-letter queue back to the queue that failed them. */
@Command(
        name = "replay-dlq",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Moves the messages of a dead-letter queue back to their queue, e.g. result notifications whose KCIDB "
                    + "submission or KernelCI update failed while a service was down. Each message is sent, then "
                    + "deleted from the DLQ, so none is lost; replaying is safe because the handlers are idempotent.",
            ""
        },
        footer = {
            "",
            "Example:",
            "  pullab replay-dlq \\",
            "    --dlq https://sqs.eu-west-2.amazonaws.com/123456789012/pullab-results-dlq \\",
            "    --to https://sqs.eu-west-2.amazonaws.com/123456789012/pullab-results",
            "",
            "Exit status: 0 done, 1 an SQS call failed, 2 bad usage."
        })
final class ReplayDlqCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--dlq", required = true, paramLabel = "QUEUE_URL", description = "The dead-letter queue.")
    private String dlq;

    @Option(names = "--to", required = true, paramLabel = "QUEUE_URL", description = "The queue to replay into.")
    private String target;

    @Option(names = "--max", paramLabel = "N", defaultValue = "1000",
            description = "Replay at most N messages (default: ${DEFAULT-VALUE}).")
    private int max;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: AWS_REGION).")
    private String region;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        SqsClient sqs = AwsClients.sqs(Optional.ofNullable(region));
        int[] replayed = {0};
        try {
            DeadLetterReplay.replay(sqs, dlq, target, max, count -> {
                replayed[0] = count;
                err.printf("replayed %d message(s)%n", count);
                err.flush();
            });
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            err.println("error: after " + replayed[0] + " replayed message(s): " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().printf("%d message(s) moved from %s to %s%n", replayed[0], dlq, target);
        return 0;
    }
}
