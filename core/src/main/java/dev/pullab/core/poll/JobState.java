package dev.pullab.core.poll;

/** Where a job is in the poller's hands: RECORDED → CLAIMED → QUEUED, or SKIPPED. */
public enum JobState {
    /** Seen and recorded; not yet claimed in KernelCI. */
    RECORDED,
    /** Carries our claim marker in KernelCI; not yet on the jobs queue. */
    CLAIMED,
    /** On the jobs queue: the orchestrator owns it now. */
    QUEUED,
    /** Not ours to run (claimed by another lab, no longer available, gone, or refused by the API). */
    SKIPPED
}
