package dev.pullab.analyzer.close;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda entry point for the results queue, which the results bucket notifies on every {@code result.txt}
 * ({@code ReportBatchItemFailures}). A message that fails (KCIDB or KernelCI unreachable, …) is reported alone and
 * redelivered; after the queue's receive limit it lands in the dead-letter queue, from where a redrive replays it.
 */
public final class ResultsQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ResultsQueueHandler.class);

    private final Supplier<RunCloser> closer;

    /** Used by Lambda: built once per execution environment (again after a SnapStart restore). */
    public ResultsQueueHandler() {
        this.closer = AnalyzerEnvironment.closer();
    }

    /** For in-process runs (pullab local-run) and tests. */
    public ResultsQueueHandler(RunCloser closer) {
        this.closer = () -> closer;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                for (VmFinished vm : S3Notifications.finishedVms(message.getBody())) {
                    LOG.info("{}", closer.get().vmFinished(vm));
                }
            } catch (RuntimeException e) {
                LOG.error("message {} failed, SQS will redeliver it: {}", message.getMessageId(), e.toString(), e);
                failures.add(SQSBatchResponse.BatchItemFailure.builder()
                        .withItemIdentifier(message.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }
}
