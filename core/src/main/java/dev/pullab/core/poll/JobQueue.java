package dev.pullab.core.poll;

import dev.pullab.core.job.JobTicket;
import java.util.List;

/** The queue the orchestrator consumes. */
public interface JobQueue {

    /**
     * Sends the tickets. A ticket sent twice for the same node (a re-run after a crash between sending and
     * recording it) must not reach the orchestrator twice: the SQS FIFO queue drops it by deduplication id.
     *
     * @throws RuntimeException when any ticket could not be sent (nothing is recorded as queued then)
     */
    void send(List<JobTicket> tickets);
}
