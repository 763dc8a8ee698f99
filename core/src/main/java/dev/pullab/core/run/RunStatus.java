package dev.pullab.core.run;

import java.util.Objects;

/**
 * A run and how far its close has come, as one read of the runs table gives them.
 *
 * @param run      the record
 * @param progress its progress
 */
public record RunStatus(RunRecord run, RunProgress progress) {

    public RunStatus {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(progress, "progress");
    }

    /** How the run was triggered: by a KernelCI job node, or by an event (BuildComplete or the daily schedule). */
    public Trigger trigger() {
        return run.jobNodeId().isPresent() ? Trigger.JOB : Trigger.EVENT;
    }

    /**
     * How a run came to be. A run of a job node records the node; a BuildComplete event and the daily schedule both
     * come through the trigger function with a pipeline config and leave the same record (test id
     * {@code <config test_id>-<suffix>}, no node), so they are one kind here.
     */
    public enum Trigger {
        /** A KernelCI job node the poller claimed. */
        JOB,
        /** A pipeline config: a BuildComplete event or the daily schedule. */
        EVENT
    }
}
