package dev.pullab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VmFixturesTest {

    @Test
    @DisplayName("a fixture on the class path is the file in vm-tests/test/fixtures, byte for byte")
    void sameAsTheVmTestsFile() throws Exception {
        Path file = Path.of(System.getProperty("pullab.vm-tests.dir", "../vm-tests"),
                "test/fixtures/kernelci/stubs/run_kselftest.sh");

        assertThat(VmFixtures.text("kernelci/stubs/run_kselftest.sh")).isEqualTo(Files.readString(file))
                .contains("hang)");
    }

    @Test
    @DisplayName("a fixture that is not there is named in the error")
    void missingFixtureNamed() {
        assertThatThrownBy(() -> VmFixtures.text("kernelci/no-such-file"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("kernelci/no-such-file");
    }
}
