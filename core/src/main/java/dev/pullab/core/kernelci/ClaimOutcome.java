package dev.pullab.core.kernelci;

/** What claiming a job node found. */
public enum ClaimOutcome {
    /** The node carries our marker (now, or already from an earlier attempt). */
    CLAIMED,
    /** Another lab's marker is on the node. */
    CLAIMED_BY_OTHER,
    /** The node left {@code available} (finished, timed out). */
    NOT_AVAILABLE,
    /** The API does not know the node any more. */
    GONE
}
