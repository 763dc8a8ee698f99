package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timestamps as the KernelCI API reads and writes them, for {@link KernelCiApiDouble}: Python 3.10
 * {@code fromisoformat} naive forms, what pydantic takes for a datetime field, Python's {@code isoformat()}, and the
 * double's default clock.
 */
final class ApiTimestamps {

    /** Python 3.10 {@code datetime.fromisoformat}, naive forms only (any one separator character, like Python). */
    private static final Pattern PY310_NAIVE_ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:.(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(\\d{3}|\\d{6}))?)?)?)?",
            Pattern.DOTALL);

    private ApiTimestamps() {
    }

    /**
     * Python 3.10 {@code datetime.fromisoformat}, naive forms only: {@code YYYY-MM-DD}, optionally followed by one
     * separator character and {@code HH}, {@code HH:MM}, {@code HH:MM:SS}, {@code HH:MM:SS.fff} or
     * {@code HH:MM:SS.ffffff}. A trailing {@code Z}, offsets and epoch numbers are rejected.
     */
    static Optional<LocalDateTime> parseNaiveIso(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = PY310_NAIVE_ISO.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            String fraction = m.group(7);
            int nanos = fraction == null ? 0 : Integer.parseInt((fraction + "000000").substring(0, 6)) * 1000;
            return Optional.of(LocalDateTime.of(
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                    m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
                    nanos));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** What pydantic takes for a datetime field: naive ISO, ISO with offset/Z (converted to UTC), epoch seconds. */
    static Optional<LocalDateTime> parseDatetime(JsonNode value) {
        if (value.isNumber()) {
            return Optional.of(LocalDateTime.ofInstant(
                    Instant.ofEpochMilli((long) (value.asDouble() * 1000)), ZoneOffset.UTC));
        }
        if (!value.isTextual()) {
            return Optional.empty();
        }
        Optional<LocalDateTime> naive = parseNaiveIso(value.asText());
        if (naive.isPresent()) {
            return naive;
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.asText()).withOffsetSameInstant(ZoneOffset.UTC)
                    .toLocalDateTime());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Python {@code datetime.isoformat()} of a naive datetime (microseconds; fraction omitted when zero). */
    static String isoformat(LocalDateTime t) {
        String base = String.format("%04d-%02d-%02dT%02d:%02d:%02d",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        int micros = t.getNano() / 1000;
        return micros == 0 ? base : base + String.format(".%06d", micros);
    }

    /** Strictly increasing UTC milliseconds (Mongo's resolution), formatted like the API. */
    static final class MonotonicUtcClock implements Supplier<String> {
        private LocalDateTime last = LocalDateTime.MIN;

        @Override
        public synchronized String get() {
            LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            if (!now.isAfter(last)) {
                now = last.plus(1, ChronoUnit.MILLIS);
            }
            last = now;
            return isoformat(now);
        }
    }
}
