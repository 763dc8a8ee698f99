package dev.pullab.core.plan;

import java.util.List;
import java.util.Optional;

/** The runs table. Every write is conditional, so duplicate deliveries converge on one run. */
public interface RunStore {

    /** Stores the record unless one exists for its prefix; returns the stored one. */
    RunRecord createIfAbsent(RunRecord record);

    Optional<RunRecord> find(String runPrefix);

    /** Adds launched instance ids (duplicates ignored). */
    void addInstances(String runPrefix, List<String> instanceIds);

    /** Moves the run from {@code from} to {@code to}; false when it was not in {@code from}. */
    boolean transition(String runPrefix, RunRecord.RunState from, RunRecord.RunState to);
}
