package dev.pullab.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.config.StackOutputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Which lab a command works on: a lab file, else a stack's outputs, else the functions' variables. */
class LabOptionsTest {

    @TempDir
    Path dir;

    private final List<String> stacksRead = new ArrayList<>();

    /** A command that uses the mixin, as every operator command does. */
    @CommandLine.Command(name = "cmd")
    static final class Cmd {
        @CommandLine.Mixin
        LabOptions lab = new LabOptions();
    }

    private LabOptions options(String... args) {
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs(args);
        return cmd.lab;
    }

    private StackOutputs stack(Map<String, String> outputs) {
        return name -> {
            stacksRead.add(name);
            return outputs;
        };
    }

    @Test
    @DisplayName("--stack: the stack's outputs name the resources, under the functions' variables")
    void givenStack_whenResolved_thenOutputsNameTheResources() {
        LabOptions.Lab lab = options("--stack", "pullab", "--region", "eu-west-2").resolve(name -> null,
                region -> stack(Map.of("RunsTableName", "pullab-runs-1A2B", "ResultsBucketName", "pullab-results-x",
                        "SomethingElse", "y")));

        assertThat(stacksRead).containsExactly("pullab");
        assertThat(lab.names().require(LabNames.RUNS_TABLE)).isEqualTo("pullab-runs-1A2B");
        assertThat(lab.names().names()).containsOnlyKeys("PULLAB_RUNS_TABLE", "PULLAB_RESULTS_BUCKET");
        assertThat(lab.region()).contains("eu-west-2");
    }

    @Test
    @DisplayName("a lab file (as local-run writes it) wins over PULLAB_STACK, with its region and emulator endpoint")
    void givenLabFile_whenResolved_thenFileWinsWithEndpoint() throws IOException {
        Path file = dir.resolve("lab.env");
        Files.writeString(file, "# pullab local-run\nexport AWS_REGION=us-east-1\nAWS_ENDPOINT_URL=http://127.0.0.1:5000"
                + "\nPULLAB_RUNS_TABLE='pullab-local-runs'\n\nPULLAB_STORAGE_BUCKET=pullab-local-storage\n");

        LabOptions.Lab lab = options("--lab", file.toString()).resolve(
                name -> name.equals(LabOptions.STACK_VARIABLE) ? "pullab" : null, region -> stack(Map.of()));

        assertThat(stacksRead).isEmpty();
        assertThat(lab.names().require(LabNames.RUNS_TABLE)).isEqualTo("pullab-local-runs");
        assertThat(lab.names().require(LabNames.STORAGE_BUCKET)).isEqualTo("pullab-local-storage");
        assertThat(lab.region()).contains("us-east-1");
        assertThat(lab.endpoint()).contains("http://127.0.0.1:5000");
    }

    @Test
    @DisplayName("nothing given: the functions' own variables, and a missing one is named with the three ways to give"
            + " it")
    void givenEnvironmentOnly_whenResourceMissing_thenErrorNamesWaysToGiveIt() {
        LabOptions.Lab lab = options().resolve(name -> name.equals("PULLAB_RESULTS_BUCKET") ? "results-b" : null,
                region -> stack(Map.of()));

        assertThat(lab.names().require(LabNames.RESULTS_BUCKET)).isEqualTo("results-b");
        assertThatThrownBy(() -> lab.names().require(LabNames.RUNS_TABLE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("runs table")
                .hasMessageContaining("RunsTableName")
                .hasMessageContaining("--stack NAME")
                .hasMessageContaining("--lab FILE")
                .hasMessageContaining("PULLAB_RUNS_TABLE");
    }

    @Test
    @DisplayName("a lab file's KernelCI and KCIDB settings win over the environment's; its AWS keys are not settings")
    void givenLabFileWithServices_whenSettingsRead_thenFileWins() throws IOException {
        Path file = dir.resolve("lab.env");
        Files.writeString(file, "AWS_ENDPOINT_URL=http://127.0.0.1:5000\nAWS_SECRET_ACCESS_KEY=test\n"
                + "KERNELCI_API_BASE_URI=http://127.0.0.1:8001/latest\nPULLAB_RUNS_TABLE=r\n");

        LabOptions.Lab lab = options("--lab", file.toString()).resolve(name -> null, region -> stack(Map.of()));
        java.util.function.UnaryOperator<String> settings = lab.settings(name -> "from-env-" + name);

        assertThat(settings.apply("KERNELCI_API_BASE_URI")).isEqualTo("http://127.0.0.1:8001/latest");
        assertThat(settings.apply("KCIDB_ORIGIN")).isEqualTo("from-env-KCIDB_ORIGIN");
        assertThat(lab.settings()).doesNotContainKey("AWS_SECRET_ACCESS_KEY");
        assertThat(lab.toString()).doesNotContain("127.0.0.1:8001");
    }

    @Test
    @DisplayName("a lab file line that is not KEY=VALUE is refused with the file and line number")
    void givenBadLabFileLine_whenResolved_thenFileAndLineNamed() throws IOException {
        Path file = dir.resolve("lab.env");
        Files.writeString(file, "PULLAB_RUNS_TABLE=a\nrm -rf /\n");

        assertThatThrownBy(() -> options("--lab", file.toString()).resolve(name -> null, region -> stack(Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(file + ":2: not a KEY=VALUE line");
    }

    @Test
    @DisplayName("a lab file that does not exist is named in the error")
    void givenMissingLabFile_whenResolved_thenNamed() {
        Path file = dir.resolve("nope.env");

        assertThatThrownBy(() -> options().resolve(name -> name.equals(LabOptions.LAB_FILE_VARIABLE)
                ? file.toString() : null, region -> stack(Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read lab file " + file);
    }

    @Test
    @DisplayName("a stack's outputs map onto every resource the commands know, and nothing else")
    void givenEveryOutput_whenMapped_thenEveryResourceKnown() {
        Map<String, String> outputs = new java.util.HashMap<>();
        LabNames.ALL.forEach(r -> outputs.put(r.stackOutput(), "value-of-" + r.stackOutput()));

        LabNames names = LabNames.fromStackOutputs(outputs, "stack t");

        assertThat(names.names()).hasSize(LabNames.ALL.size());
        LabNames.ALL.forEach(r -> assertThat(names.find(r)).contains("value-of-" + r.stackOutput()));
        assertThat(Optional.of(names.source())).contains("stack t");
    }

    @Test
    @DisplayName("a local lab's file: its trigger queue is known, and its emulator's keys serve that emulator only")
    void givenLocalLabFile_whenResolved_thenTriggerQueueAndEmulatorKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("lab.env"), """
                AWS_REGION=us-east-1
                AWS_ENDPOINT_URL=http://127.0.0.1:5000
                AWS_ACCESS_KEY_ID=test
                AWS_SECRET_ACCESS_KEY=test
                PULLAB_TRIGGER_QUEUE_URL=http://127.0.0.1:5000/123456789012/lab-trigger
                """);

        LabOptions.Lab lab = options("--lab", file.toString()).resolve(name -> null, region -> stack(Map.of()));

        assertThat(lab.names().find(LabNames.TRIGGER_QUEUE))
                .contains("http://127.0.0.1:5000/123456789012/lab-trigger");
        assertThat(lab.emulatorKeys()).hasValueSatisfying(keys -> assertThat(keys.accessKeyId()).isEqualTo("test"));
        assertThat(lab.toString()).doesNotContain("test");
    }

    @Test
    @DisplayName("keys in a lab file without an emulator endpoint are not used (never sent to AWS)")
    void givenKeysWithoutEndpoint_whenResolved_thenNoKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("lab.env"), """
                AWS_ACCESS_KEY_ID=AKIAEXAMPLE
                AWS_SECRET_ACCESS_KEY=secret
                PULLAB_RUNS_TABLE=runs
                """);

        LabOptions.Lab lab = options("--lab", file.toString()).resolve(name -> null, region -> stack(Map.of()));

        assertThat(lab.emulatorKeys()).isEmpty();
    }
}
