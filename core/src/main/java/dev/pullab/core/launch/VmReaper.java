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
}
