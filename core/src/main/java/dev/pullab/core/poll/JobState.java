package dev.pullab.core.poll;

/**
 * Where a job is in the poller's hands: RECORDED → QUEUED, or SKIPPED (RECORDED → CLAIMED → QUEUED before issue 23;
 * see {@link PollCycle} for why the claim needs no write of its own).
 */
public enum JobState {
    /** Seen and recorded; maybe claimed in KernelCI already (the claim is idempotent by its marker), not queued. */
    RECORDED,
    /**
     * Carries our claim marker in KernelCI; not yet on the jobs queue. Written by pollers before issue 23 only; such
     * records are still sent and then moved to QUEUED.
     */
    CLAIMED,
    /** On the jobs queue: the orchestrator owns it now. */
    QUEUED,
    /** Not ours to run (claimed by another lab, no longer available, gone, or refused by the API). */
    SKIPPED
}
