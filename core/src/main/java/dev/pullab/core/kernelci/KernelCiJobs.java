package dev.pullab.core.kernelci;

import java.util.Optional;

/** What the poller needs from KernelCI: the feed of available jobs, and the claim. */
public interface KernelCiJobs {

    /** See {@link KernelCiClient#availableJobEvents(Optional, int)}. */
    EventPage availableJobEvents(Optional<EventTime> from, int limit);

    /** See {@link KernelCiClient#claim(String, String)}. */
    ClaimOutcome claim(String nodeId, String marker);
}
