package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.LabResources;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The VM role's object patterns cover every key the orchestrator uploads for a VM, and no more")
class VmAccessTest {

    private static final String RUN = "run_pulllab-6825f9c0b4e0b1c900001074-8940912b_20261124_101500";

    /** An IAM object pattern as a regex: {@code *} matches any characters, '/' included. */
    private static boolean readable(String key) {
        return LabResources.VM_READS.stream().anyMatch(pattern -> Pattern.compile(
                "\\Q" + pattern.replace("*", "\\E.*\\Q") + "\\E").matcher(key).matches());
    }

    @Test
    @DisplayName("a VM may read the run's client, its test's payload and the run's shared files")
    void givenVmInputs_whenMatched_thenReadable() {
        assertThat(List.of(RunUploader.clientKey(RUN), RunUploader.payloadKey(RUN, "kernelci-boot"),
                RunUploader.sharedPrefix(RUN, "rpms") + "kernel-6.1.rpm"))
                .allSatisfy(key -> assertThat(readable(key)).as(key).isTrue());
    }

    @Test
    @DisplayName("a VM may not read a run's analysis or another VM's outputs")
    void givenOtherObjects_whenMatched_thenNotReadable() {
        assertThat(List.of(RUN + "/analysis/report.json", RUN + "/test_kernelci-boot/output/i-0abc/result.txt"))
                .allSatisfy(key -> assertThat(readable(key)).as(key).isFalse());
    }
}
