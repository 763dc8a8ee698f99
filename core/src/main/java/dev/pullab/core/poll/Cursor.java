package dev.pullab.core.poll;

import dev.pullab.core.kernelci.EventTime;
import java.util.Optional;
import java.util.Set;

/**
 * Where the poller is in the {@code /events} feed of its runtime.
 *
 * <p>{@code /events?from=T} answers events strictly after T, and timestamps have millisecond resolution, so a page
 * cut inside one millisecond would lose the rest of it if the next page started at that millisecond. The cursor
 * therefore starts the next query one distinct timestamp earlier ({@code from}) and remembers the ids of the events
 * it already handled after {@code from} ({@code seen}); the boundary is re-read and de-duplicated.
 *
 * @param from the verbatim timestamp of a handled event (empty: from the oldest retained event)
 * @param seen ids of handled events later than {@code from}
 */
public record Cursor(Optional<EventTime> from, Set<String> seen) {

    public Cursor {
        seen = Set.copyOf(seen);
    }

    public static Cursor initial() {
        return new Cursor(Optional.empty(), Set.of());
    }

    /** Microseconds of {@code from} since the epoch (0 initially): the order in which cursors may only grow. */
    public long position() {
        return from.map(EventTime::micros).orElse(0L);
    }

    @Override
    public String toString() {
        return "Cursor[from=" + from.map(EventTime::text).orElse("start") + ", seen=" + seen.size() + "]";
    }
}
