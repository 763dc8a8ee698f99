package dev.pullab.core.job;

import static dev.pullab.core.job.JobFixtures.BASELINE;
import static dev.pullab.core.job.JobFixtures.KSELFTEST;
import static dev.pullab.core.job.JobFixtures.LTP;
import static dev.pullab.core.job.JobFixtures.changed;
import static dev.pullab.core.job.JobFixtures.definition;
import static dev.pullab.core.job.JobFixtures.firstTest;
import static dev.pullab.core.job.JobFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.job.JobDefinition.Callback;
import dev.pullab.core.job.JobDefinition.Environment;
import dev.pullab.core.job.JobDefinition.TestDefinition;
import dev.pullab.core.kernelci.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("JobDefinition: parsing PULL_LABS job definitions")
class JobDefinitionTest {

    @Test
    @DisplayName("the baseline definition has kernel, modules and ramdisk artifacts and nothing else")
    void baselineArtifacts() {
        JobDefinition definition = definition(BASELINE);

        assertThat(definition.artifacts().present()).containsExactly(
                Map.entry("kernel", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/bzImage"),
                Map.entry("modules", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/modules.tar.xz"),
                Map.entry("ramdisk", "http://storage.kernelci.org/images/rootfs/buildroot/buildroot-baseline/"
                        + "20230703.0/x86/rootfs.cpio.gz"));
    }

    @Test
    @DisplayName("the baseline definition's boot test is read with every field")
    void baselineTest() {
        JobDefinition definition = definition(BASELINE);

        assertThat(definition.tests()).containsExactly(new TestDefinition("boot-test-6825f9c0", "boot", List.of(),
                600, Optional.empty(), Optional.empty(), List.of(), List.of()));
    }

    @Test
    @DisplayName("environment and callback are read; console and integrity are dropped")
    void environmentAndCallback() {
        JobDefinition definition = definition(BASELINE);

        assertThat(definition.environment())
                .isEqualTo(new Environment(Optional.of("qemu-x86_64"), Optional.of("x86_64")));
        assertThat(definition.callback()).contains(new Callback(
                Optional.of("https://kernelci-pipeline.westus3.cloudapp.azure.com/node/6825f9c0b4e0b1c9d2a7e0a1"),
                Optional.of("kernelci-pipeline-callback")));
    }

    @Test
    @DisplayName("the LTP definition keeps its parameters string and the top-level parameters")
    void ltpParameters() {
        JobDefinition definition = definition(LTP);

        assertThat(definition.tests().get(0).parameters())
                .contains("tst_cmdfiles=smoketest skipfile=skipfile-lkft.yaml workers=max skip_install=true");
        assertThat(definition.tests().get(0).timeoutS()).isEqualTo(3600);
        assertThat(definition.parameters()).containsExactly(Map.entry("KIRK_WORKERS", "max"),
                Map.entry("RUNNER", "/opt/kirk/kirk"), Map.entry("SKIPFILE", "skipfile-lkft.yaml"));
    }

    @Test
    @DisplayName("the kselftest definition has kselftest, rootfs and dtb artifacts")
    void kselftestArtifacts() {
        JobDefinition definition = definition(KSELFTEST);

        assertThat(definition.artifacts().kselftest())
                .contains("https://files.kernelci.org/kbuild-gcc-15-arm64-6825f9c0/kselftest.tar.xz");
        assertThat(definition.artifacts().dtb())
                .contains("https://files.kernelci.org/kbuild-gcc-15-arm64-6825f9c0/dtbs/exynos/exynos850-e850-96.dtb");
        assertThat(definition.artifacts().rootfs()).isPresent();
    }

    @Test
    @DisplayName("a test without timeout_s, depends or commands gets 600 s and empty lists")
    void testDefaults() {
        byte[] json = utf8("{\"tests\":[{\"id\":\"t\",\"type\":\"boot\"}],\"environment\":{}}");

        TestDefinition test = JobDefinition.parse(json).tests().get(0);

        assertThat(test.timeoutS()).isEqualTo(JobDefinition.DEFAULT_TIMEOUT_S);
        assertThat(test.depends()).isEmpty();
        assertThat(test.preCommands()).isEmpty();
        assertThat(test.postCommands()).isEmpty();
    }

    @Test
    @DisplayName("subset is kept as compact JSON text")
    void subsetAsJsonText() {
        byte[] json = changed(KSELFTEST, root -> firstTest(root).putArray("subset").add("a").add(1));

        assertThat(JobDefinition.parse(json).tests().get(0).subset()).contains("[\"a\",1]");
    }

    @Test
    @DisplayName("null and empty artifacts count as absent")
    void nullArtifactIsAbsent() {
        byte[] json = changed(BASELINE, root -> {
            root.withObjectProperty("artifacts").putNull("modules");
            root.withObjectProperty("artifacts").put("ramdisk", "");
        });

        assertThat(JobDefinition.parse(json).artifacts().present()).containsOnlyKeys("kernel");
    }

    @Test
    @DisplayName("scalar top-level parameters become strings")
    void scalarParametersAsText() {
        byte[] json = changed(LTP, root -> root.withObjectProperty("parameters").put("WORKERS", 4).put("DEBUG", true));

        assertThat(JobDefinition.parse(json).parameters()).containsEntry("WORKERS", "4").containsEntry("DEBUG", "true");
    }

    @Test
    @DisplayName("a nested top-level parameter is refused, naming it")
    void nestedParameterRefused() {
        byte[] json = changed(LTP, root -> root.withObjectProperty("parameters").putObject("NESTED"));

        assertThatThrownBy(() -> JobDefinition.parse(json))
                .isInstanceOf(InvalidJobDefinitionException.class)
                .hasMessage("invalid job definition: parameters.NESTED: expected a string, number or boolean, "
                        + "got an object");
    }

    @Test
    @DisplayName("a definition without tests (pullab_cloud's job shape) has an empty test list")
    void noTests() {
        byte[] json = changed(BASELINE, root -> root.remove("tests"));

        assertThat(JobDefinition.parse(json).tests()).isEmpty();
    }

    @Test
    @DisplayName("a definition with empty or null tests has an empty test list")
    void emptyTests() {
        assertThat(JobDefinition.parse(changed(BASELINE, root -> root.putArray("tests"))).tests()).isEmpty();
        assertThat(JobDefinition.parse(changed(BASELINE, root -> root.putNull("tests"))).tests()).isEmpty();
    }

    @Test
    @DisplayName("the top-level timeout (pullab_cloud's job shape) is read in seconds; absent when not given")
    void jobTimeout() {
        assertThat(JobDefinition.parse(changed(BASELINE, root -> root.put("timeout", 900))).timeoutS())
                .hasValue(900);
        assertThat(definition(BASELINE).timeoutS()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "900"   | invalid job definition: timeout: expected a whole number, got the string "900"
            0       | invalid job definition: timeout: must be between 1 and 172800, got 0
            172801  | invalid job definition: timeout: must be between 1 and 172800, got 172801
            90.5    | invalid job definition: timeout: expected a whole number, got the number 90.5
            """)
    @DisplayName("a top-level timeout that is not a whole number of seconds in [1, 172800] is refused, naming it")
    void badJobTimeout(String timeout, String message) {
        byte[] json = utf8("{\"tests\": [], \"environment\": {}, \"timeout\": " + timeout + "}");

        assertThatThrownBy(() -> JobDefinition.parse(json))
                .isInstanceOf(InvalidJobDefinitionException.class)
                .hasMessage(message);
    }

    @Test
    @DisplayName("a parse failure turns into a job_generation_error rejection with the same message")
    void parseFailureRejection() {
        InvalidJobDefinitionException e = new InvalidJobDefinitionException("invalid job definition: tests: missing");

        assertThat(e.rejection())
                .isEqualTo(new JobRejection(ErrorCode.JOB_GENERATION_ERROR, "invalid job definition: tests: missing"));
    }
}
