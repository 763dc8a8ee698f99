package dev.pullab.orchestrator.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.core.run.VmGroup;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunLauncher: the kernels a run record keeps")
class RunLauncherKernelsTest {

    private static VmGroup group(String test, String kernelUrl) {
        return new VmGroup(new VmTestSpec(test, Map.of("PULLAB_KERNEL_URL", kernelUrl)), "x86_64", "ami-0123456789abcdef0",
                "m5.large", 1, 3600);
    }

    @Test
    @DisplayName("given a kernel URL with user info, when the run is recorded, then the runs table gets it without")
    void givenKernelUrlWithCredentials_whenRecorded_thenRedacted() {
        RunPlan plan = new RunPlan("run_pulllab-n1-a_20260520_101530", "pulllab-n1-a", Optional.of("n1"),
                Executor.EC2, List.of(
                        group("kernelci-boot", "https://ci-bot:s3cr3t@files.kernelci.org/bzImage"),
                        group("kernelci-ltp", "https://files.kernelci.org/bzImage"),
                        group("kernelci-kselftest", "")));

        List<String> kernels = RunLauncher.kernels(plan);

        assertThat(kernels).containsExactly("https://<user info>@files.kernelci.org/bzImage",
                "https://files.kernelci.org/bzImage");
        assertThat(String.join(" ", kernels)).doesNotContain("s3cr3t", "ci-bot");
    }
}
