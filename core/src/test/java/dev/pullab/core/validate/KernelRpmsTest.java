package dev.pullab.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("kernel RPMs in the storage bucket: at least a base and a tip per arch the tests run on")
class KernelRpmsTest {

    @Test
    @DisplayName("two kernel RPMs of the arch are ok")
    void givenTwoKernels_thenOk() {
        Check check = KernelRpms.check("x86_64", "storage", List.of(
                "kernel-rpms/binary/x86_64/kernel-6.12.0-1.x86_64.rpm",
                "kernel-rpms/binary/x86_64/kernel-6.13.0-1.x86_64.rpm"), 2);

        assertThat(check.status()).isEqualTo(Check.Status.OK);
        assertThat(check.detail()).isEqualTo("2 kernel RPMs in s3://storage/kernel-rpms/binary/x86_64/");
    }

    @Test
    @DisplayName("one kernel, or RPMs of another arch, is a problem whose fix is pullab upload-rpms")
    void givenOneKernel_thenProblemWithUploadFix() {
        Check check = KernelRpms.check("aarch64", "storage", List.of(
                "kernel-rpms/binary/aarch64/kernel-6.12.0-1.aarch64.rpm",
                "kernel-rpms/binary/aarch64/kernel-6.13.0-1.x86_64.rpm",
                "kernel-rpms/binary/aarch64/notes.txt"), 2);

        assertThat(check.isProblem()).isTrue();
        assertThat(check.detail()).startsWith("1 kernel RPM in s3://storage/kernel-rpms/binary/aarch64/");
        assertThat(check.fix()).startsWith("pullab upload-rpms DIR");
    }

    @Test
    @DisplayName("only x86_64 and aarch64 are arches of the layout")
    void arches() {
        assertThat(KernelRpms.isArch("x86_64")).isTrue();
        assertThat(KernelRpms.isArch("../x86_64")).isFalse();
    }
}
