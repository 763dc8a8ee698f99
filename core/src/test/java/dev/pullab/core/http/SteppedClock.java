package dev.pullab.core.http;

import dev.pullab.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when its {@link #sleeper()} is asked to wait, which records every wait. */
final class SteppedClock extends SettableClock {

    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    SteppedClock(Instant start) {
        super(start);
    }

    /** Records the wait and moves the clock by it, without sleeping. */
    RetryingHttp.Sleeper sleeper() {
        return duration -> {
            waits.add(duration);
            advance(duration);
        };
    }

    /** The waits asked for, in order. */
    List<Duration> waits() {
        return List.copyOf(waits);
    }
}
