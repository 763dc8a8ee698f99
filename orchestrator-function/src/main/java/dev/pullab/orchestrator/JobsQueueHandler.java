package dev.pullab.orchestrator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTicketJson;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda entry point for the jobs queue (SQS FIFO, {@code ReportBatchItemFailures}): each message is one claimed
 * job. A message that fails is reported alone, so one bad message never blocks the others; SQS redelivers it, and
 * after the queue's receive limit it lands in the dead-letter queue. A job that cannot run is not a failure: it is
 * finished in KernelCI as {@code incomplete}.
 */
public final class JobsQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private static final Logger LOG = LoggerFactory.getLogger(JobsQueueHandler.class);

    private final Supplier<Orchestrator> orchestrator;

    /** Used by Lambda: built once per execution environment (again after a SnapStart restore). */
    public JobsQueueHandler() {
        this.orchestrator = Environment.orchestrator();
    }

    /** For in-process runs (pullab local-run) and tests. */
    public JobsQueueHandler(Orchestrator orchestrator) {
        this.orchestrator = () -> orchestrator;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                JobTicket ticket = JobTicketJson.read(message.getBody());
                Orchestrator.Outcome outcome = orchestrator.get().runJob(ticket);
                LOG.info("job {}: {}", ticket.nodeId(), outcome.plan()
                        .map(p -> "run " + p.runPrefix() + " with " + outcome.instances().size() + " instance(s)")
                        .orElseGet(() -> "rejected: " + outcome.rejection().orElseThrow().message()));
            } catch (RuntimeException e) {
                LOG.error("message {} failed, SQS will redeliver it: {}", message.getMessageId(), e.toString(), e);
                failures.add(SQSBatchResponse.BatchItemFailure.builder()
                        .withItemIdentifier(message.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }
}
