package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("pullab validate: usage, and the caller's principal IAM simulates")
class ValidateCommandTest {

    @Test
    @DisplayName("--help shows what is checked, the exit status and examples")
    void helpHasExamplesAndExitStatus() {
        CliRun run = CliRun.of("validate", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Exit status: 0 no check has a problem", "Examples:",
                "pullab validate --stack pullab --region us-east-1", "--json");
    }

    @Test
    @DisplayName("an arch the kernel-rpms layout does not have is bad usage, exit 2, before any AWS call")
    void givenUnknownArch_thenUsageError() {
        CliRun run = CliRun.of("validate", "--arch", "riscv64", "--lab", "/nonexistent");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: --arch riscv64 is not an arch of the kernel-rpms layout: use x86_64 "
                + "or aarch64");
    }

    @Test
    @DisplayName("an assumed role's session is simulated as the role; a user as itself")
    void principalArn() {
        assertThat(CallerChecks.principalArn("arn:aws:sts::123456789012:assumed-role/PullabOperator/alice"))
                .isEqualTo("arn:aws:iam::123456789012:role/PullabOperator");
        assertThat(CallerChecks.principalArn("arn:aws:iam::123456789012:user/ci"))
                .isEqualTo("arn:aws:iam::123456789012:user/ci");
    }
}
