package dev.pullab.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link RunReport#verdict()}: the line {@code pullab runs} shows for a closed run. */
class RunReportVerdictTest {

    private static RunReport report(VmCounts vms) {
        return new RunReport(Optional.empty(), List.of(), Optional.empty(), vms, List.of());
    }

    @Test
    @DisplayName("every VM successful and no regression: pass, then the summary line")
    void pass() {
        assertThat(report(new VmCounts(2, 2, 0, 0)).verdict())
                .isEqualTo("pass; VMs: 2/2 spawned, 2 successful, 0 failed, 0 missing");
    }

    @Test
    @DisplayName("a VM missing: fail")
    void missingIsFail() {
        assertThat(report(new VmCounts(2, 1, 0, 1)).verdict()).startsWith("fail; ").endsWith("1 missing");
    }

    @Test
    @DisplayName("a VM failed: fail")
    void failedIsFail() {
        assertThat(report(new VmCounts(1, 0, 1, 0)).verdict()).startsWith("fail; ");
    }

    @Test
    @DisplayName("every VM ran but the job node's result is fail (an LTP case failed): fail (tests)")
    void jobFailedIsFailTests() {
        RunReport report = new RunReport(Optional.empty(), List.of(), Optional.of(new dev.pullab.core.kernelci
                .JobOutcome("6825f9c0b4e0b1c9d2a7e0a2", dev.pullab.core.kernelci.NodeResult.FAIL, Optional.empty(),
                Optional.empty(), java.util.Map.of(), List.of())), new VmCounts(1, 1, 0, 0), List.of());

        assertThat(report.verdict()).startsWith("fail (tests); ");
    }
}
