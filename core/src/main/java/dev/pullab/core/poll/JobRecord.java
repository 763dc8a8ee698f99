package dev.pullab.core.poll;

import dev.pullab.core.job.JobTicket;
import java.util.Objects;
import java.util.Optional;

/**
 * The poller's record of one job node, keyed by node id: the only place where a job is known, so duplicates of an
 * event (or re-runs after a crash) find it and carry on from its state.
 *
 * @param ticket what the job is
 * @param state  how far the poller got
 * @param reason why it was skipped
 */
public record JobRecord(JobTicket ticket, JobState state, Optional<String> reason) {

    public JobRecord {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    public static JobRecord recorded(JobTicket ticket) {
        return new JobRecord(ticket, JobState.RECORDED, Optional.empty());
    }

    public String nodeId() {
        return ticket.nodeId();
    }
}
