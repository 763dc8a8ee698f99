package dev.pullab.core.job;

import static dev.pullab.core.job.JobFixtures.BASELINE;
import static dev.pullab.core.job.JobFixtures.BASELINE_NODE;
import static dev.pullab.core.job.JobFixtures.KSELFTEST;
import static dev.pullab.core.job.JobFixtures.NOW;
import static dev.pullab.core.job.JobFixtures.SUFFIX;
import static dev.pullab.core.job.JobFixtures.baselineTicket;
import static dev.pullab.core.job.JobFixtures.bytes;
import static dev.pullab.core.job.JobFixtures.kselftestTicket;
import static dev.pullab.core.job.JobFixtures.labConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a KernelCI job's params also carry the variables pullab_cloud's vm-tests read")
class PullLabsVariablesTest {

    private static Map<String, String> params(JobTicket ticket, String fixture) {
        Translation translation = JobTranslator.translate(ticket, bytes(fixture), labConfig(), SUFFIX, NOW);
        assertThat(translation).isInstanceOf(Translation.Planned.class);
        return ((Translation.Planned) translation).plan().groups().get(0).test().params();
    }

    @Test
    @DisplayName("baseline: KERNEL_URL, MODULES_URL, ROOTFS_URL from the ramdisk (no rootfs), ARCH, node id, tests")
    void baseline() {
        assertThat(params(baselineTicket(), BASELINE))
                .containsEntry("KERNEL_URL", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/bzImage")
                .containsEntry("MODULES_URL", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/modules.tar.xz")
                .containsEntry("ROOTFS_URL", "http://storage.kernelci.org/images/rootfs/buildroot/buildroot-baseline/"
                        + "20230703.0/x86/rootfs.cpio.gz")
                .containsEntry("ARCH", "x86_64")
                .containsEntry("KERNELCI_NODE_ID", BASELINE_NODE)
                .containsEntry("PULL_LABS_TESTS", "boot-test-6825f9c0:boot")
                .containsEntry("PULL_LABS_TESTS_JSON",
                        "[{\"id\":\"boot-test-6825f9c0\",\"type\":\"boot\",\"parameters\":\"\",\"timeout_s\":600}]");
    }

    @Test
    @DisplayName("kselftest on arm64: ARCH is the platform's arch, ROOTFS_URL the job's rootfs")
    void kselftest() {
        assertThat(params(kselftestTicket(), KSELFTEST)).containsEntry("ARCH", "arm64")
                .containsEntry("ROOTFS_URL", "https://storage.kernelci.org/images/rootfs/debian/trixie-kselftest/"
                        + "20260606.0/arm64/full.rootfs.tar.xz");
    }
}
