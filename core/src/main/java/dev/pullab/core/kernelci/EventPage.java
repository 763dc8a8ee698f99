package dev.pullab.core.kernelci;

import java.util.List;
import java.util.Optional;

/**
 * One answer of {@code GET /events}, in the order the API gave it. Every element is an {@link Entry}: a parsed
 * {@link Event}, or a malformed element with the reason (logged and skipped by the poller, never blocking it).
 *
 * @param entries   the elements
 * @param requested the {@code limit} asked for: a page with fewer entries is the last one
 */
public record EventPage(List<Entry> entries, int requested) {

    public EventPage {
        entries = List.copyOf(entries);
    }

    /** The page is full: more events may follow. */
    public boolean full() {
        return entries.size() >= requested;
    }

    /**
     * One element of the answer.
     *
     * @param key       the event id, or a digest of the element when it has none (for de-duplication)
     * @param timestamp the verbatim timestamp, empty when absent or unparseable
     * @param event     the parsed event, empty when malformed
     * @param problem   why it is malformed, empty when it is not
     */
    public record Entry(String key, Optional<EventTime> timestamp, Optional<Event> event, Optional<String> problem) {
    }
}
