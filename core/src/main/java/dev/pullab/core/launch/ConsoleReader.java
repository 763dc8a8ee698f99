package dev.pullab.core.launch;

/** Reads what a VM wrote to its serial console (in AWS: EC2 GetConsoleOutput, latest). */
public interface ConsoleReader {

    /** The most of a console kept, after decoding: 1 MiB, its latest part (a boot log is a few hundred KiB). */
    int MAX_CONSOLE_BYTES = 1 << 20;

    /**
     * The VM's latest console output, decoded, at most {@link #MAX_CONSOLE_BYTES} bytes (its end when longer); empty
     * when the VM has none (yet). Service faults propagate as unchecked exceptions of the implementation.
     */
    byte[] latest(String instanceId);
}
