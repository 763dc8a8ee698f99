package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sweeper's panic and hang detection settings, from its environment. */
class WatchSettingsTest {

    @Test
    @DisplayName("defaults: a 30-minute hang threshold, 15-minute sweeps, 100 VMs read per sweep")
    void givenNothing_whenResolved_thenDefaults() {
        WatchSettings settings = WatchSettings.resolve(Map.of());

        assertThat(settings.rule().hangThreshold()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.rule().sweepInterval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings.maxVms()).isEqualTo(100);
    }

    @Test
    @DisplayName("PULLAB_HANG_MINUTES=0 turns hang detection off; PULLAB_WATCH_MAX_VMS sets the bound")
    void givenZeroAndBound_whenResolved_thenOffAndBounded() {
        WatchSettings settings = WatchSettings.resolve(Map.of("PULLAB_HANG_MINUTES", "0",
                "PULLAB_WATCH_MAX_VMS", " 7 "));

        assertThat(settings.rule().silenceDetection()).isEmpty();
        assertThat(settings.maxVms()).isEqualTo(7);
    }

    @Test
    @DisplayName("a threshold that is not a number of minutes is refused, naming the variable and the range")
    void givenBadThreshold_whenResolved_thenRefused() {
        assertThatThrownBy(() -> WatchSettings.resolve(Map.of("PULLAB_HANG_MINUTES", "30m")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("PULLAB_HANG_MINUTES must be a whole number from 0 to 1440, got '30m'");
        assertThatThrownBy(() -> WatchSettings.resolve(Map.of("PULLAB_HANG_MINUTES", "5")))
                .hasMessageContaining("0 (off) or from 10 to 1440, got 5");
        assertThatThrownBy(() -> WatchSettings.resolve(Map.of("PULLAB_WATCH_MAX_VMS", "0")))
                .hasMessageContaining("PULLAB_WATCH_MAX_VMS must be a whole number from 1 to 1000");
    }
}
