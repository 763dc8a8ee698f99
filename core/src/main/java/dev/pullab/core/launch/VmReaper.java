package dev.pullab.core.launch;

import java.util.Map;

/** Terminates what is still alive of a run's VMs (for the sweeper), found by the run tag they were launched with. */
public interface VmReaper {

    /**
     * Terminates the run's VMs that are not terminated yet.
     *
     * @return every VM of the run (terminated now or before) with the test it ran, by instance id
     */
    Map<String, String> terminate(String runPrefix);

    /** What is done with each VM still alive just before it is terminated (e.g. {@link ConsoleCapture}). */
    @FunctionalInterface
    interface BeforeTermination {

        /** Called once per VM about to be terminated; must not throw (a failure here never keeps a VM alive). */
        void beforeTerminate(String runPrefix, String test, String instanceId);

        /** Nothing. */
        BeforeTermination NOTHING = (runPrefix, test, instanceId) -> { };
    }
}
