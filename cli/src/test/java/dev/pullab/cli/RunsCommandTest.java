package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code pullab runs}' --since and AGE forms. */
class RunsCommandTest {

    static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

    @Test
    @DisplayName("--since takes 30m, 24h, 7d before now, a UTC date and an instant")
    void sinceForms() {
        assertThat(RunsCommand.parseSince("30m", NOW)).hasValue(Instant.parse("2026-12-05T07:30:00Z"));
        assertThat(RunsCommand.parseSince("24h", NOW)).hasValue(Instant.parse("2026-12-04T08:00:00Z"));
        assertThat(RunsCommand.parseSince("7d", NOW)).hasValue(Instant.parse("2026-11-28T08:00:00Z"));
        assertThat(RunsCommand.parseSince("2026-12-01", NOW)).hasValue(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(RunsCommand.parseSince("2026-12-01T06:00:00Z", NOW)).hasValue(
                Instant.parse("2026-12-01T06:00:00Z"));
    }

    @Test
    @DisplayName("--since refuses anything else")
    void sinceRefused() {
        assertThat(RunsCommand.parseSince("yesterday", NOW)).isEmpty();
        assertThat(RunsCommand.parseSince("-3d", NOW)).isEmpty();
        assertThat(RunsCommand.parseSince("9999999d", NOW)).isEmpty();
    }

    @Test
    @DisplayName("AGE is in the largest unit that fits: s, m, h up to two days, then d")
    void age() {
        long now = NOW.getEpochSecond();
        assertThat(RunsCommand.age(now - 45, NOW)).isEqualTo("45s");
        assertThat(RunsCommand.age(now - 600, NOW)).isEqualTo("10m");
        assertThat(RunsCommand.age(now - 30 * 3600, NOW)).isEqualTo("30h");
        assertThat(RunsCommand.age(now - 3 * 86400, NOW)).isEqualTo("3d");
    }
}
