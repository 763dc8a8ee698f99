package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pullab.core.job.JobTicket;
import dev.pullab.core.job.JobTranslator;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.job.Translation;
import dev.pullab.core.run.RunPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The variables pullab_cloud's vm-tests read reach params.env, which the VM client exports into every stage: a config
 * run's test_params, and a KernelCI job's KERNEL_URL, ..., PULL_LABS_TESTS_JSON. Sourced with bash as the client
 * does.
 */
@DisplayName("params.env carries test_params and pullab_cloud's job variables")
class StageParamsEnvTest {

    private static final Instant NOW = Instant.parse("2026-05-20T10:15:30Z");

    @TempDir
    Path temp;

    private static byte[] resource(String path) {
        try (InputStream in = StageParamsEnvTest.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("test resource " + path + " missing", e);
        }
    }

    /** params.env of {@code params} sourced by bash, then {@code script}'s output. */
    private String sourced(Map<String, String> params, String script) throws Exception {
        assumeThat(Path.of("/bin/bash")).as("bash is needed to source params.env").exists();
        Files.writeString(temp.resolve(PayloadBuilder.PARAMS_ENV), PayloadBuilder.paramsEnv(params));
        Process process = new ProcessBuilder("/bin/bash", "-c", "set -eu; set -a; . ./params.env; " + script)
                .directory(temp.toFile()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a config run: each vms entry's test_params become its tests' params.env variables")
    void configTestParams() throws Exception {
        RunPlan plan = JobTranslator.fromConfig(LabConfig.parse(resource("/job/pullab_cloud_config.json")), "a1b2c3",
                NOW);
        Map<String, String> params = plan.groups().get(1).test().params();

        assertThat(sourced(params, "printf '%s|%s|%s|%s' \"$KERNEL_URL\" \"$MODULES_URL\" \"$BOOT_RETRIES\""
                + " \"$KEEP_LOGS\"")).isEqualTo("https://files.kernelci.org/kbuild-gcc-14-x86/bzImage|"
                        + "https://files.kernelci.org/kbuild-gcc-14-x86/modules.tar.xz|2|true");
    }

    @Test
    @DisplayName("a KernelCI job: KERNEL_URL, MODULES_URL, ROOTFS_URL, ARCH, KERNELCI_NODE_ID, PULL_LABS_TESTS(_JSON)")
    void jobVariables() throws Exception {
        JobTicket ticket = new JobTicket("6825f9c0b4e0b1c9d2a7e0a2", "ltp-smoketest-arm64-pull-labs-demo",
                "pull-labs-demo", "qemu-arm64", "arm64", "https://files.kernelci.org/pull_labs_jobs/ltp.json",
                "6825f3a1b4e0b1c9d2a7e001", "pullab:6825f9c0b4e0b1c9d2a7e0a2", "evt-1", "2026-05-20T10:15:30.412000");
        LabConfig lab = LabConfig.parse(resource("/job/lab_config.json"));
        Translation translation = JobTranslator.translate(ticket,
                resource("/job/pull_labs_jobdef_ltp_smoke_qemu_arm64.json"), lab, "a1b2c3", NOW);
        assertThat(translation).isInstanceOf(Translation.Planned.class);
        Map<String, String> params = ((Translation.Planned) translation).plan().groups().get(0).test().params();

        String seen = sourced(params, "printf '%s\\n' \"$KERNEL_URL\" \"$MODULES_URL\" \"$ROOTFS_URL\" \"$ARCH\""
                + " \"$KERNELCI_NODE_ID\" \"$PULL_LABS_TESTS\" \"$PULL_LABS_TESTS_JSON\"");

        assertThat(seen.split("\n")).containsExactly(
                "https://files.kernelci.org/kbuild-gcc-15-arm64-nfsboot-6825f9c0/Image",
                "https://files.kernelci.org/kbuild-gcc-15-arm64-nfsboot-6825f9c0/modules.tar.xz",
                "https://storage.kernelci.org/images/rootfs/debian/trixie-ltp/20260730.0/arm64/full.rootfs.tar.xz",
                "arm64",
                "6825f9c0b4e0b1c9d2a7e0a2",
                "ltp-smoketest:ltp",
                "[{\"id\":\"ltp-smoketest\",\"type\":\"ltp\",\"parameters\":\"tst_cmdfiles=smoketest"
                        + " skipfile=skipfile-lkft.yaml workers=max skip_install=true\",\"timeout_s\":3600}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"LD_PRELOAD", "AWS_SECRET_ACCESS_KEY", "BASH_ENV", "PS4", "HOME", "_"})
    @DisplayName("a reserved name never reaches params.env")
    void reserved(String name) {
        assertThatThrownBy(() -> PayloadBuilder.paramsEnv(Map.of(name, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + name + "'").hasMessageContaining("reserved");
    }
}
