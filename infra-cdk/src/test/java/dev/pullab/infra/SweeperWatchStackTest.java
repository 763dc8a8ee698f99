package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.assertions.Template;

/** Context {@code hangMinutes} and {@code watchMaxVms}: the sweeper's watch over running VMs. */
class SweeperWatchStackTest {

    @Test
    @DisplayName("hangMinutes and watchMaxVms reach the sweeper's environment, and only the sweeper's")
    void givenWatchContext_whenSynthesized_thenOnlyTheSweeperCarriesIt() {
        Template template = Template.fromStack(stack(Map.of("hangMinutes", "45", "watchMaxVms", "20")));

        assertThat(environment(template, PullabStack.SWEEP_HANDLER))
                .contains("PULLAB_HANG_MINUTES=45", "PULLAB_WATCH_MAX_VMS=20");
        assertThat(environment(template, PullabStack.RESULTS_HANDLER)).doesNotContain("PULLAB_HANG_MINUTES");
    }

    @Test
    @DisplayName("without the context the sweeper runs on the defaults: no watch variable is set")
    void givenNoWatchContext_whenSynthesized_thenNoVariable() {
        assertThat(environment(Template.fromStack(stack(Map.of())), PullabStack.SWEEP_HANDLER))
                .doesNotContain("PULLAB_HANG_MINUTES").doesNotContain("PULLAB_WATCH_MAX_VMS");
    }

    @Test
    @DisplayName("a hang threshold the sweeper would refuse stops the synth, naming the key and the allowed range")
    void givenTooShortHangThreshold_whenSynthesized_thenRefused() {
        assertThatThrownBy(() -> stack(Map.of("hangMinutes", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hangMinutes")
                .hasMessageContaining("from 10 to 1440");
    }

    private static String environment(Template template, String handler) {
        return template.findResources("AWS::Lambda::Function").values().stream()
                .map(f -> (Map<?, ?>) f.get("Properties"))
                .filter(p -> handler.equals(p.get("Handler")))
                .map(p -> String.valueOf(p.get("Environment")))
                .findFirst().orElseThrow();
    }

    private static PullabStack stack(Map<String, String> context) {
        return StackSynth.stack(context);
    }
}
