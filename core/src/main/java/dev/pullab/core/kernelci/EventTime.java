package dev.pullab.core.kernelci;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * An event timestamp: the API's verbatim string (sent back as {@code from}: the API parses it with Python's
 * {@code fromisoformat}, so any other spelling risks a 400) and its value for ordering.
 *
 * @param text  verbatim, e.g. {@code 2026-05-20T10:15:30.431000}
 * @param micros microseconds since the epoch (UTC), for comparisons
 */
public record EventTime(String text, long micros) implements Comparable<EventTime> {

    /** Parses the API's naive UTC format; empty when it is not one. */
    public static Optional<EventTime> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            LocalDateTime time = LocalDateTime.parse(text);
            long micros = ChronoUnit.MICROS.between(LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC), time);
            return Optional.of(new EventTime(text, micros));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public int compareTo(EventTime other) {
        return Long.compare(micros, other.micros);
    }
}
