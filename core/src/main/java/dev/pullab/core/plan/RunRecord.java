package dev.pullab.core.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A run as the lab keeps it (the runs table): what the analyzer's fan-in counts VMs against.
 *
 * @param runPrefix   the run's id and S3 prefix
 * @param testId      its test id
 * @param jobNodeId   the KernelCI job node, if the run is one
 * @param executor    EC2 or Fargate
 * @param tests       names of the tests it runs
 * @param kernels     the kernels under test: the job's kernel artifact URLs (empty for runs whose tests bring their
 *                    own kernels, such as RPMs in {@code shared/})
 * @param expectedVms VMs (or tasks) expected to report a {@code result.txt}
 * @param instanceIds instances (or task ARNs) launched so far
 * @param state       where the run is
 * @param createdAt   epoch seconds
 * @param deadline    epoch seconds after which missing VMs count as missing ({@code max_runtime} + grace)
 */
public record RunRecord(String runPrefix, String testId, Optional<String> jobNodeId, Executor executor,
        List<String> tests, List<String> kernels, int expectedVms, List<String> instanceIds, RunState state, long createdAt,
        long deadline) {

    public RunRecord {
        Objects.requireNonNull(runPrefix, "runPrefix");
        Objects.requireNonNull(jobNodeId, "jobNodeId");
        tests = List.copyOf(tests);
        kernels = List.copyOf(kernels);
        instanceIds = List.copyOf(instanceIds);
    }

    /** How far a run is. */
    public enum RunState {
        /** Recorded; VMs being launched. */
        LAUNCHING,
        /** Every VM launched; waiting for their results. */
        RUNNING,
        /** One analyzer invocation is analysing and reporting it. */
        ANALYSING,
        /** Reported. */
        DONE
    }
}
