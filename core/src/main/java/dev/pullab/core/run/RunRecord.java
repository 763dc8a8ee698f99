package dev.pullab.core.run;

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
 * @param launched    the VMs (or tasks) launched so far, each with its test: the only VMs whose results count
 * @param state       where the run is
 * @param createdAt   epoch seconds
 * @param deadline    epoch seconds after which missing VMs count as missing ({@code max_runtime} + grace)
 */
public record RunRecord(String runPrefix, String testId, Optional<String> jobNodeId, Executor executor,
        List<String> tests, List<String> kernels, int expectedVms, List<LaunchedVm> launched, RunState state, long createdAt,
        long deadline) {

    public RunRecord {
        Objects.requireNonNull(runPrefix, "runPrefix");
        Objects.requireNonNull(jobNodeId, "jobNodeId");
        tests = List.copyOf(tests);
        kernels = List.copyOf(kernels);
        launched = List.copyOf(launched);
    }

    /** The instance ids (or task ids) launched so far. */
    public List<String> instanceIds() {
        return launched.stream().map(LaunchedVm::instanceId).toList();
    }

    /**
     * Whether a {@code result.txt} under this run counts: only from a VM the run launched, for the test it was launched
     * for. A test VM runs job-supplied kernels and code as root, so anything it writes is untrusted; a result under
     * another VM's name (or a VM of another run, or a test the run does not have) must neither close the run nor reach
     * KCIDB.
     *
     * @return {@link Admission#COUNTED} for a launched VM; {@link Admission#NOT_YET_RECORDED} while the run is still
     *         launching and the VM could be one whose launch is not recorded yet (the caller retries later);
     *         {@link Admission#FOREIGN} otherwise
     */
    public Admission admit(String test, String instanceId) {
        if (launched.stream().anyMatch(vm -> vm.is(test, instanceId))) {
            return Admission.COUNTED;
        }
        if (state == RunState.LAUNCHING && tests.contains(test)
                && launched.stream().noneMatch(vm -> vm.instanceId().equals(instanceId))) {
            return Admission.NOT_YET_RECORDED;
        }
        return Admission.FOREIGN;
    }

    /** What a result found under a run's prefix counts for; see {@link #admit}. */
    public enum Admission {
        /** From a VM the run launched, for its own test. */
        COUNTED,
        /** Not (yet) among the recorded VMs of a run still launching. */
        NOT_YET_RECORDED,
        /** Not from a VM this run launched for that test: ignored. */
        FOREIGN
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
