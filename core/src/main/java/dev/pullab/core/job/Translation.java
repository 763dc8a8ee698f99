package dev.pullab.core.job;

import dev.pullab.core.run.RunPlan;
import java.util.List;
import java.util.Objects;

/**
 * What {@link JobTranslator} makes of a claimed KernelCI job: a {@link Planned run plan} or a {@link JobRejection}.
 */
public sealed interface Translation permits Translation.Planned, JobRejection {

    /**
     * The job can run: launch this plan.
     *
     * @param plan  the run to launch
     * @param notes how the job was adapted to this lab, one sentence each, for the caller to log (a platform outside
     *              the table placed by arch, a test type run as the boot test, tests merged into one boot run, a
     *              job timeout shortening the VMs' max runtime); empty when the job ran as written
     */
    record Planned(RunPlan plan, List<String> notes) implements Translation {

        public Planned {
            Objects.requireNonNull(plan, "plan");
            notes = List.copyOf(notes);
        }

        /** A plan without notes. */
        public Planned(RunPlan plan) {
            this(plan, List.of());
        }
    }
}
