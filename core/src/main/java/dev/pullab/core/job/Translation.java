package dev.pullab.core.job;

import dev.pullab.core.run.RunPlan;
import java.util.Objects;

/**
 * What {@link JobTranslator} makes of a claimed KernelCI job: a {@link Planned run plan} or a {@link JobRejection}.
 */
public sealed interface Translation permits Translation.Planned, JobRejection {

    /**
     * The job can run: launch this plan.
     *
     * @param plan the run to launch
     */
    record Planned(RunPlan plan) implements Translation {

        public Planned {
            Objects.requireNonNull(plan, "plan");
        }
    }
}
