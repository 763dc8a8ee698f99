package dev.pullab.core.poll;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.kernelci.EventPage;
import dev.pullab.core.kernelci.EventTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the cursor moves after a page ({@link PollCycle#next}). */
class CursorTest {

    private static EventPage.Entry entry(String id, String timestamp) {
        return new EventPage.Entry(id, EventTime.parse(timestamp), Optional.empty(), Optional.of("test"));
    }

    @Test
    @DisplayName("from = the second-latest distinct timestamp, seen = the events at the latest")
    void givenDistinctTimestamps_whenAdvanced_thenBoundaryReRead() {
        EventPage page = new EventPage(List.of(entry("a", "2026-05-20T10:00:00.001000"),
                entry("b", "2026-05-20T10:00:00.002000"), entry("c", "2026-05-20T10:00:00.003000"),
                entry("d", "2026-05-20T10:00:00.003000")), 4);

        Cursor next = PollCycle.next(Cursor.initial(), page, Long.MAX_VALUE);

        assertThat(next.from().map(EventTime::text)).contains("2026-05-20T10:00:00.002000");
        assertThat(next.seen()).containsExactlyInAnyOrder("c", "d");
    }

    @Test
    @DisplayName("a page inside one millisecond keeps from and adds its events to seen")
    void givenOneMillisecond_whenAdvanced_thenFromKept() {
        Cursor start = new Cursor(EventTime.parse("2026-05-20T10:00:00.000000"), Set.of("x"));
        EventPage page = new EventPage(List.of(entry("a", "2026-05-20T10:00:00.001000"),
                entry("b", "2026-05-20T10:00:00.001000")), 2);

        Cursor next = PollCycle.next(start, page, Long.MAX_VALUE);

        assertThat(next.from()).isEqualTo(start.from());
        assertThat(next.seen()).containsExactlyInAnyOrder("x", "a", "b");
    }

    @Test
    @DisplayName("the verbatim timestamp string is kept, even without a fraction")
    void givenTimestampWithoutFraction_whenAdvanced_thenVerbatim() {
        EventPage page = new EventPage(List.of(entry("a", "2026-05-20T10:00:00"),
                entry("b", "2026-05-20T10:00:00.500000")), 2);

        assertThat(PollCycle.next(Cursor.initial(), page, Long.MAX_VALUE).from().map(EventTime::text))
                .contains("2026-05-20T10:00:00");
    }

    @Test
    @DisplayName("an empty page leaves the cursor as it was")
    void givenEmptyPage_whenAdvanced_thenUnchanged() {
        Cursor start = new Cursor(EventTime.parse("2026-05-20T10:00:00.000000"), Set.of("x"));

        assertThat(PollCycle.next(start, new EventPage(List.of(), 10), Long.MAX_VALUE)).isEqualTo(start);
    }

    @Test
    @DisplayName("the in-memory store never moves a cursor backwards")
    void givenOlderCursor_whenSaved_thenRefused() {
        InMemoryCursorStore store = new InMemoryCursorStore();
        Cursor later = new Cursor(EventTime.parse("2026-05-20T10:00:01"), Set.of());
        Cursor earlier = new Cursor(EventTime.parse("2026-05-20T10:00:00"), Set.of());
        store.save("rt", later);

        assertThat(store.save("rt", earlier)).isFalse();
        assertThat(store.read("rt")).isEqualTo(later);
    }
}
