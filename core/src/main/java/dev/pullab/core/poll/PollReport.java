package dev.pullab.core.poll;

import dev.pullab.core.job.JobTicket;
import java.util.List;
import java.util.Map;

/**
 * What one poll cycle did.
 *
 * @param before     the cursor it started from
 * @param after      the cursor it left
 * @param pages      {@code /events} pages read
 * @param events     events read (re-read boundary events included)
 * @param malformed  events that could not be parsed (logged and skipped)
 * @param found      jobs of this lab that were available and unclaimed, in event order, once each
 * @param queued     jobs sent to the orchestrator by this cycle
 * @param duplicates jobs already handled by an earlier delivery or run
 * @param skipped    jobs found but not ours to run, with the reason
 * @param refused    jobs whose claim the API rejected as malformed (400/422, a lab defect), with its answer: left
 *                   unclaimed and claimed again by the next cycle
 * @param future     events dated beyond now plus the clock-skew allowance: their jobs taken, their time ignored
 * @param ignored    events of other runtimes or platforms, or of jobs no longer available, by reason
 * @param caughtUp   the feed was read to its end (otherwise the time budget or a stuck page stopped it)
 */
public record PollReport(Cursor before, Cursor after, int pages, int events, int malformed, List<JobTicket> found,
        List<JobTicket> queued, int duplicates, Map<String, String> skipped, Map<String, String> refused,
        int future, Map<String, Integer> ignored, boolean caughtUp) {

    public PollReport {
        found = List.copyOf(found);
        queued = List.copyOf(queued);
        skipped = Map.copyOf(skipped);
        refused = Map.copyOf(refused);
        ignored = Map.copyOf(ignored);
    }

    /** Claims the API rejected as malformed: a defect of this lab that an operator must see. */
    public boolean hasRefusals() {
        return !refused.isEmpty();
    }

    /** One line for the logs. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "poll: %d pages, %d events (%d malformed), %d jobs found, %d queued, %d duplicates, %d skipped, "
                        + "%d refused, %d from the future, ignored %s, %s, cursor %s -> %s",
                pages, events, malformed, found.size(), queued.size(), duplicates, skipped.size(), refused.size(),
                future, ignored,
                caughtUp ? "caught up" : "stopped early", before, after);
    }
}
