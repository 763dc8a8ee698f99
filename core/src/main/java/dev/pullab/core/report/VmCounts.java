package dev.pullab.core.report;

/**
 * How the VMs of a run ended, as pullab_cloud's pipeline log counts them.
 *
 * @param expected   VMs (or tasks) the run expected ({@link dev.pullab.core.run.RunRecord#expectedVms()})
 * @param successful VMs whose {@code result.txt} is {@code SUCCESS}
 * @param failed     VMs whose {@code result.txt} is anything else ({@code FAILED: …})
 * @param missing    VMs without a {@code result.txt} at the deadline
 */
public record VmCounts(int expected, int successful, int failed, int missing) {

    public VmCounts {
        if (expected < 0 || successful < 0 || failed < 0 || missing < 0) {
            throw new IllegalArgumentException("VM counts cannot be negative: " + expected + ", " + successful + ", "
                    + failed + ", " + missing);
        }
    }

    /** {@code VMs: X/X spawned, Y successful, Z failed, W missing}, X being the expected VMs. */
    public String summary() {
        return "VMs: " + expected + "/" + expected + " spawned, " + successful + " successful, " + failed + " failed, "
                + missing + " missing";
    }
}
