package dev.pullab.core.poll;

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
}
