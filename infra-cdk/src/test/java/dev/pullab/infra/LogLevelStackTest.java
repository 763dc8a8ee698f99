package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

@DisplayName("context logLevel: every function's LOG_LEVEL")
class LogLevelStackTest {

    @Test
    @DisplayName("logLevel sets LOG_LEVEL on each of the six functions, spelled as the functions read it")
    void givenLogLevel_whenSynthesized_thenEveryFunctionHasIt() {
        Template template = Template.fromStack(StackSynth.stack(Map.of("logLevel", "debug")));

        Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Runtime", "java21")));
        assertThat(functions).hasSize(6);
        functions.forEach((id, function) -> assertThat(variables(function)).as(id).containsEntry("LOG_LEVEL", "DEBUG"));
    }

    @Test
    @DisplayName("without logLevel no function has LOG_LEVEL (they log at INFO)")
    void givenNoLogLevel_whenSynthesized_thenNoFunctionHasIt() {
        Template template = Template.fromStack(StackSynth.stack(Map.of()));

        template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of("Runtime", "java21"))).forEach((id, function) ->
                assertThat(variables(function)).as(id).doesNotContainKey("LOG_LEVEL"));
    }

    @Test
    @DisplayName("an unknown logLevel stops the synth naming the valid levels")
    void givenUnknownLogLevel_whenSynthesized_thenRefused() {
        assertThatThrownBy(() -> StackSynth.stack(Map.of("logLevel", "verbose")))
                .hasMessageContaining("context logLevel 'verbose' is not a log level: use ERROR, WARN, INFO or DEBUG");
    }

    private static Map<String, Object> variables(Map<String, Object> function) {
        Map<?, ?> properties = (Map<?, ?>) function.get("Properties");
        Map<?, ?> environment = (Map<?, ?>) properties.get("Environment");
        Map<String, Object> variables = new java.util.HashMap<>();
        if (environment != null) {
            ((Map<?, ?>) environment.get("Variables")).forEach((k, v) -> variables.put(String.valueOf(k), v));
        }
        return variables;
    }
}
