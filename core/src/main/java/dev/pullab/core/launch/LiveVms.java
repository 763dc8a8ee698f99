package dev.pullab.core.launch;

import java.time.Instant;
import java.util.List;

/** A run's VMs that are still alive, found by the run tag they were launched with, and terminating one of them. */
public interface LiveVms {

    /**
     * One VM still alive (pending or running).
     *
     * @param instanceId its instance id
     * @param test       the test it runs (its test tag; {@code unknown} without one)
     * @param launchedAt when it was launched
     */
    record LiveVm(String instanceId, String test, Instant launchedAt) {
    }

    /** The run's VMs that are pending or running. */
    List<LiveVm> alive(String runPrefix);

    /** Terminates one VM of the run (it must carry the run's tag: a VM of another run is left alone). */
    void terminate(String runPrefix, String instanceId);
}
