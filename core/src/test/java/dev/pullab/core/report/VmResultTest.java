package dev.pullab.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VmResult: what a VM's result.txt says")
class VmResultTest {

    @Test
    @DisplayName("SUCCESS with a trailing newline is a success")
    void givenSuccessLine_whenParsed_thenSuccess() {
        assertThat(VmResult.parse(Optional.of("SUCCESS\n"))).isEqualTo(VmResult.success());
    }

    @Test
    @DisplayName("FAILED: <reason> is a failure keeping the line and the reason")
    void givenFailedLine_whenParsed_thenFailedWithReason() {
        VmResult result = VmResult.parse(Optional.of("FAILED: Exit code 1 at run 2\n"));

        assertThat(result.status()).isEqualTo(VmResult.Status.FAILED);
        assertThat(result.line()).contains("FAILED: Exit code 1 at run 2");
        assertThat(result.reason()).contains("Exit code 1 at run 2");
    }

    @Test
    @DisplayName("no result.txt is missing")
    void givenNoText_whenParsed_thenMissing() {
        assertThat(VmResult.parse(Optional.empty())).isEqualTo(VmResult.missing());
    }

    @Test
    @DisplayName("a blank result.txt is missing")
    void givenBlankText_whenParsed_thenMissing() {
        assertThat(VmResult.parse(Optional.of(" \n"))).isEqualTo(VmResult.missing());
    }

    @Test
    @DisplayName("an unexpected text is a failure, never a success, and says so")
    void givenUnexpectedText_whenParsed_thenFailedNamingIt() {
        VmResult result = VmResult.parse(Optional.of("OK"));

        assertThat(result.status()).isEqualTo(VmResult.Status.FAILED);
        assertThat(result.reason()).contains("unexpected result.txt: OK");
    }

    @Test
    @DisplayName("a multi-line result.txt keeps its first non-blank line")
    void givenSeveralLines_whenParsed_thenFirstLine() {
        VmResult result = VmResult.parse(Optional.of("\nFAILED: Timeout after 600 s at run 1\ntrace…"));

        assertThat(result.line()).contains("FAILED: Timeout after 600 s at run 1");
    }
}
