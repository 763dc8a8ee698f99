package dev.pullab.core.run;

import java.util.List;
import java.util.Optional;

/** The runs table. Every write is conditional, so duplicate deliveries converge on one run. */
public interface RunStore {

    /** Stores the record unless one exists for its prefix; returns the stored one. */
    RunRecord createIfAbsent(RunRecord record);

    Optional<RunRecord> find(String runPrefix);

    /** Adds launched VMs, each with its test (duplicates ignored). */
    void addInstances(String runPrefix, List<LaunchedVm> vms);

    /** Moves the run from {@code from} to {@code to}; false when it was not in {@code from}. */
    boolean transition(String runPrefix, RunRecord.RunState from, RunRecord.RunState to);

    /**
     * Records that a VM reported (idempotent: a duplicate notification changes nothing).
     *
     * @param vm {@code <test>/<instance id>}
     * @return how many VMs of the run have reported, or empty when the run is not known (not a pullab run)
     */
    java.util.OptionalInt markReported(String runPrefix, String vm);

    /** The run's closing progress (empty when the run is not known). */
    Optional<RunProgress> progress(String runPrefix);

    /**
     * Takes the analysis of a run: from LAUNCHING or RUNNING, or from ANALYSING whose lease has expired (the
     * invocation that had it died). Exactly one caller wins.
     *
     * @return true when this caller now owns the analysis until {@code leaseUntil}
     */
    boolean startAnalysis(String runPrefix, long now, long leaseUntil);

    /** Records the KCIDB submission id of the run's revision. */
    void recordSubmission(String runPrefix, String submissionId);

    /** Records how finishing the KernelCI job node ended. */
    void recordNodeFinish(String runPrefix, String outcome);

    /** Records the run's verdict at its close (one line, see {@code RunReport#verdict}), for {@code pullab runs}. */
    void recordVerdict(String runPrefix, String verdict);

    /**
     * The runs created at or after {@code since} (epoch seconds), newest first, at most {@code limit}, each with its
     * progress: what {@code pullab runs} lists. Reads at most {@code maxScanned} records (a lab's table is small; the
     * bound keeps a huge one from being read whole); {@link Recent#truncated} says when it stopped early.
     */
    Recent recent(long since, int limit, int maxScanned);

    /**
     * The runs found, and whether the scan stopped at its bound before reading the whole table.
     *
     * @param runs      newest first
     * @param truncated the bound was reached: older or other runs may exist
     */
    record Recent(List<RunStatus> runs, boolean truncated) {
        public Recent {
            runs = List.copyOf(runs);
        }
    }

    /** Runs not yet DONE whose deadline is before {@code now} (for the sweeper). */
    List<RunRecord> overdue(long now);

    /**
     * Runs DONE whose deadline is in {@code [from, now)}: the sweeper terminates whatever of their VMs is still alive
     * (a VM that reported but never powered off, every guest timer having failed), so closing a run early never lets
     * one of its VMs outlive the run's deadline by more than a sweep.
     */
    List<RunRecord> closedPastDeadline(long from, long now);

    /**
     * Runs LAUNCHING or RUNNING whose deadline is not past at {@code now}: those whose VMs the sweeper watches for
     * panics and hangs.
     */
    List<RunRecord> open(long now);
}
