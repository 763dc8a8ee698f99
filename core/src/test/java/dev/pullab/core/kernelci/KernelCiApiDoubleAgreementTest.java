package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.http.RetryingHttp;
import dev.pullab.testkit.KernelCiApiDouble;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The KernelCI double keeps its own copies of two wire facts (the testkit depends on nothing of pullab): they agree. */
class KernelCiApiDoubleAgreementTest {

    @Test
    @DisplayName("the double accepts exactly the error codes pullab can send, in kernelci-core's order")
    void errorCodesAgree() {
        assertThat(KernelCiApiDouble.ERROR_CODES)
                .containsExactlyElementsOf(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName).toList());
    }

    @Test
    @DisplayName("the double reads the attempt number from the header pullab's HTTP client writes")
    void attemptHeaderAgrees() {
        assertThat(KernelCiApiDouble.ATTEMPT_HEADER).isEqualTo(RetryingHttp.ATTEMPT_HEADER);
    }
}
