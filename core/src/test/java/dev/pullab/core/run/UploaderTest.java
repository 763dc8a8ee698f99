package dev.pullab.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Uploader: who S3 says wrote a result")
class UploaderTest {

    private static final String VM_A = "i-0aaaaaaaaaaaaaaaa";
    private static final String VM_B = "i-0bbbbbbbbbbbbbbbb";

    @Test
    @DisplayName("a VM writing under another VM's name impersonates it")
    void givenOtherVmSession_whenChecked_thenImpersonates() {
        assertThat(new Uploader("AWS:AROAEXAMPLEROLEID1:" + VM_B).impersonates(VM_A)).isTrue();
    }

    @Test
    @DisplayName("a VM writing its own result does not")
    void givenOwnSession_whenChecked_thenNot() {
        assertThat(new Uploader("AWS:AROAEXAMPLEROLEID1:" + VM_A).impersonates(VM_A)).isFalse();
    }

    @Test
    @DisplayName("a Fargate task's session (its task id) is checked the same way")
    void givenTaskSession_whenChecked_thenComparedWithTaskId() {
        String task = "0123456789abcdef0123456789abcdef";

        assertThat(new Uploader("AWS:AROAEXAMPLEROLEID1:" + task).impersonates(task)).isFalse();
        assertThat(new Uploader("AWS:AROAEXAMPLEROLEID1:" + task).impersonates("fedcba9876543210fedcba9876543210"))
                .isTrue();
    }

    @Test
    @DisplayName("a writer that is not a VM (an operator, an emulator) is left to the run's launched VMs to judge")
    void givenNonVmWriter_whenChecked_thenNotHeldAgainst() {
        assertThat(new Uploader("AWS:AIDAEXAMPLEUSERID").impersonates(VM_A)).isFalse();
        assertThat(new Uploader("AWS:AROAEXAMPLEROLEID1:alice@example.org").impersonates(VM_A)).isFalse();
        assertThat(new Uploader("A1B2C3D4E5F6").impersonates(VM_A)).isFalse();
    }
}
