package dev.pullab.core.run;

import java.util.Optional;
import java.util.Set;

/**
 * How far the closing of a run has come: which VMs reported, who analyses it, which external effects happened. Each
 * effect is recorded right after it succeeds, so a retry resumes where an attempt stopped and never repeats one.
 *
 * @param reported          {@code <test>/<instance id>} of every VM whose {@code result.txt} arrived
 * @param leaseUntil        epoch seconds until which one invocation owns the analysis (0: nobody)
 * @param kcidbSubmissionId the KCIDB submission of the run's revision, once submitted
 * @param nodeFinish        how finishing the KernelCI job node ended ({@code FINISHED}, {@code ALREADY_DONE},
 *                          {@code GONE}), once done
 * @param verdict           the run's verdict and summary line as its close recorded them (see
 *                          {@code RunReport#verdict}), once closed; empty for runs closed before verdicts were recorded
 */
public record RunProgress(Set<String> reported, long leaseUntil, Optional<String> kcidbSubmissionId,
        Optional<String> nodeFinish, Optional<String> verdict) {

    public RunProgress {
        reported = Set.copyOf(reported);
        java.util.Objects.requireNonNull(kcidbSubmissionId, "kcidbSubmissionId");
        java.util.Objects.requireNonNull(nodeFinish, "nodeFinish");
        java.util.Objects.requireNonNull(verdict, "verdict");
    }
}
