package dev.pullab.core.kernelci;

/** What finishing a job node did. */
public enum FinishOutcome {
    /** The node is now {@code done} with our result. */
    FINISHED,
    /** The node was already {@code done} (finished elsewhere, or by an earlier attempt): nothing was written. */
    ALREADY_DONE,
    /** The API does not know the node. */
    GONE
}
