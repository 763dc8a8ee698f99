package dev.pullab.core.launch;

/**
 * The tags every test VM (EC2 instance) carries: how the sweeper, the local lab and an operator find a run's VMs.
 * Written by the launcher, read by the reaper and by {@code pullab local-run}; one list, so they cannot drift.
 */
public final class VmTags {

    /** On every pullab test VM, with value {@code true}. */
    public static final String LAB = "pullab";
    /** The run prefix of the VM's run. */
    public static final String RUN = "pullab:run";
    /** The KernelCI job node the run answers, when it came from a job. */
    public static final String JOB_NODE = "pullab:job-node";
    /** The test the VM runs. */
    public static final String TEST = "pullab:test";
    /** The launch id ({@link VmLaunch#launchId()}): how a re-run adopts a VM its crashed attempt started. */
    public static final String LAUNCH = "pullab:launch-id";

    private VmTags() {
    }
}
