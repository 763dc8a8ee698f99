package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

@DisplayName("context snapStart: SnapStart on published versions, triggers through the live alias")
class SnapStartStackTest {

    @Test
    @DisplayName("off by default: no function has SnapStart, there is no alias, triggers invoke the functions")
    void givenNoSnapStart_whenSynthesized_thenNoSnapshotAndTriggersOnFunctions() {
        Template template = Template.fromStack(StackSynth.stack(Map.of()));

        template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of("Runtime", "java21")))
                .forEach((id, fn) -> assertThat(properties(fn)).as(id).doesNotContainKey("SnapStart"));
        template.resourceCountIs("AWS::Lambda::Alias", 0);
        template.resourceCountIs("AWS::Lambda::Version", 0);
        template.findResources("AWS::Lambda::EventSourceMapping").forEach((id, mapping) ->
                assertThat(String.valueOf(properties(mapping).get("FunctionName"))).as(id).doesNotContain("Alias"));
    }

    @Test
    @DisplayName("on: the five triggered functions snapshot published versions and have a live alias on their current"
            + " version; AnalyzeRun, invoked by name on demand, does not")
    void givenSnapStartOn_whenSynthesized_thenEveryTriggeredFunctionSnapshotsAndHasALiveAlias() {
        Template template = Template.fromStack(StackSynth.stack(Map.of("snapStart", "on")));

        Map<String, Map<String, Object>> functions = template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Runtime", "java21")));
        assertThat(functions).hasSize(6);
        functions.forEach((id, fn) -> {
            if (id.startsWith("AnalyzeRun")) {
                assertThat(properties(fn)).as(id).doesNotContainKey("SnapStart");
            } else {
                assertThat(properties(fn)).as(id).containsEntry("SnapStart", Map.of("ApplyOn", "PublishedVersions"));
            }
        });
        Map<String, Map<String, Object>> aliases = template.findResources("AWS::Lambda::Alias");
        assertThat(aliases.values()).allSatisfy(alias -> assertThat(properties(alias))
                .containsEntry("Name", PullabStack.LIVE_ALIAS).containsKey("FunctionVersion"));
        // the triggered five: poller, both orchestrators' triggers, results queue, sweeper (AnalyzeRun is on demand)
        assertThat(aliases).hasSize(5);
        template.resourceCountIs("AWS::Lambda::Version", 5);
    }

    @Test
    @DisplayName("on: the SQS event sources, both schedules and both EventBridge rules invoke the live aliases")
    void givenSnapStartOn_whenSynthesized_thenEveryTriggerInvokesAnAlias() {
        Template template = Template.fromStack(StackSynth.stack(Map.of("snapStart", "on")));

        Map<String, Map<String, Object>> mappings = template.findResources("AWS::Lambda::EventSourceMapping");
        assertThat(mappings).hasSize(2);
        mappings.forEach((id, mapping) ->
                assertThat(String.valueOf(properties(mapping).get("FunctionName"))).as(id).contains("LiveAlias"));
        Map<String, Map<String, Object>> schedules = template.findResources("AWS::Scheduler::Schedule");
        assertThat(schedules).hasSize(2);
        schedules.forEach((id, schedule) ->
                assertThat(String.valueOf(properties(schedule).get("Target"))).as(id).contains("LiveAlias"));
        Map<String, Map<String, Object>> rules = template.findResources("AWS::Events::Rule");
        assertThat(rules).hasSize(2);
        rules.forEach((id, rule) ->
                assertThat(String.valueOf(properties(rule).get("Targets"))).as(id).contains("LiveAlias"));
        // a throttled poll is still dropped, not queued, when the schedule invokes the alias
        assertThat(template.findResources("AWS::Lambda::EventInvokeConfig")).anySatisfy((id, config) -> {
            assertThat(id).startsWith("PollerLiveAlias");
            assertThat(properties(config)).containsEntry("MaximumRetryAttempts", 0)
                    .containsEntry("MaximumEventAgeInSeconds", 60);
        });
    }

    @Test
    @DisplayName("on: cdk-nag still finds nothing unacknowledged")
    void givenSnapStartOn_whenSynthesizedAsTheApp_thenTheNagPluginPasses(@TempDir Path out) throws IOException {
        App app = new App(AppProps.builder().outdir(out.toString())
                .context(Map.of("placeholderCode", "true", "snapStart", "on")).build());
        PullabApp.configure(app);
        app.synth();

        assertThat(Files.readString(out.resolve("validation-report.json"))).contains("\"pluginReports\": []");
    }

    @Test
    @DisplayName("an unknown snapStart value stops the synth naming the valid ones and how to pass them")
    void givenUnknownSnapStart_whenSynthesized_thenRefused() {
        for (String bad : List.of("yes", "ON", "true")) {
            assertThatThrownBy(() -> StackSynth.stack(Map.of("snapStart", bad)))
                    .as(bad)
                    .hasMessageContaining("context snapStart: '" + bad + "' is not one of [off, on]")
                    .hasMessageContaining("-c snapStart=on");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }
}
