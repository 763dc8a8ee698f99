package dev.pullab.core.run;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to launch for one run: its S3 prefix, where it executes and which VMs run which tests.
 *
 * @param runPrefix S3 prefix of the run in the results bucket, {@code run_<test_id>_<YYYYMMDD_HHMMSS>} (the seed's
 *                  layout); also the run's id
 * @param testId    the run's test id (with its unique suffix)
 * @param jobNodeId the KernelCI job node it runs, empty for BuildComplete and scheduled runs
 * @param executor  EC2 or Fargate
 * @param groups    the VM groups; VM {@code i} of the run is the i-th VM of the groups in order
 */
public record RunPlan(String runPrefix, String testId, Optional<String> jobNodeId, Executor executor,
        List<VmGroup> groups) {

    public RunPlan {
        Objects.requireNonNull(runPrefix, "runPrefix");
        Objects.requireNonNull(testId, "testId");
        Objects.requireNonNull(jobNodeId, "jobNodeId");
        Objects.requireNonNull(executor, "executor");
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a run plan needs at least one VM group");
        }
    }

    /** VMs (or tasks) the run expects to report. */
    public int expectedVms() {
        return groups.stream().mapToInt(VmGroup::count).sum();
    }

    /** The longest safety timer of the run's VMs. */
    public int maxRuntimeS() {
        return groups.stream().mapToInt(VmGroup::maxRuntimeS).max().orElse(0);
    }
}
