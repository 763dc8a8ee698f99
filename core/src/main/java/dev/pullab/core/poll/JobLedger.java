package dev.pullab.core.poll;

import java.util.List;

/** The jobs table: one record per job node, written with conditional writes only. */
public interface JobLedger {

    /**
     * Stores the record if no record of its node exists.
     *
     * @return the stored record: {@code record} itself, or the one an earlier delivery or run wrote
     */
    JobRecord recordIfAbsent(JobRecord record);

    /**
     * Moves a record from {@code from} to {@code to} if it is still in {@code from}.
     *
     * @param reason why, for {@link JobState#SKIPPED}
     * @return false when the record was not in {@code from} (another run moved it): nothing written
     */
    boolean transition(String nodeId, JobState from, JobState to, String reason);

    /**
     * Marks QUEUED the records whose tickets are on the jobs queue (called only after the send succeeded). This
     * default moves each from its state with {@link #transition}; a store may write them in groups instead
     * (DynamoDB: {@code BatchWriteItem}), as a plain write: once its ticket is sent, QUEUED is true of a job whatever
     * another run of this poller wrote meanwhile.
     *
     * @return for each record, in order, whether this call left it QUEUED
     */
    default List<Boolean> markQueued(List<JobRecord> sent) {
        return sent.stream().map(r -> transition(r.nodeId(), r.state(), JobState.QUEUED, "")).toList();
    }
}
