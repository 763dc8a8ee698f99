package dev.pullab.core.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when its {@link #sleeper()} is asked to wait, which records every wait. */
final class SteppedClock extends Clock {

    private volatile Instant now;
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    SteppedClock(Instant start) {
        this.now = start;
    }

    /** Records the wait and moves the clock by it, without sleeping. */
    RetryingHttp.Sleeper sleeper() {
        return duration -> {
            waits.add(duration);
            now = now.plus(duration);
        };
    }

    /** The waits asked for, in order. */
    List<Duration> waits() {
        return List.copyOf(waits);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
