package dev.pullab.core.report;

import static dev.pullab.core.report.ReportFixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VmOutputs: what one VM left in the results bucket")
class VmOutputsTest {

    @Test
    @DisplayName("the last stage log is the run-N-output.log with the highest N, numerically")
    void givenTenStages_whenLastLog_thenRunTen() {
        VmOutputs vm = VmOutputs.of("boot", "i-1").withLogKey("r/test_boot/output/i-1/run-9-output.log")
                .withLogKey("r/test_boot/output/i-1/run-10-output.log")
                .withLogKey("r/test_boot/output/i-1/client-11.log");

        assertThat(vm.lastRunLogKey()).contains("r/test_boot/output/i-1/run-10-output.log");
    }

    @Test
    @DisplayName("without a run-N-output.log there is no last log")
    void givenOnlyClientLogs_whenLastLog_thenEmpty() {
        assertThat(VmOutputs.of("boot", "i-1").withLogKey("client-1.log").lastRunLogKey()).isEmpty();
    }

    @Test
    @DisplayName("result.txt is kept trimmed")
    void givenResultWithNewline_whenStored_thenTrimmed() {
        assertThat(VmOutputs.of("boot", "i-1").withResultText("  SUCCESS\n").resultText()).contains("SUCCESS");
    }

    @Test
    @DisplayName("changing the array given or returned does not change the record")
    void givenResultsBytes_whenMutated_thenRecordUnchanged() {
        byte[] given = bytes("{}");
        VmOutputs vm = VmOutputs.of("boot", "i-1").withResultsJson(given);
        given[0] = 'x';
        vm.resultsJson().orElseThrow()[1] = 'x';

        assertThat(vm.resultsJson()).hasValueSatisfying(json -> assertThat(new String(json)).isEqualTo("{}"));
    }

    @Test
    @DisplayName("a VM without results.json has no lab results")
    void givenNoResultsJson_whenRead_thenEmpty() {
        assertThat(VmOutputs.of("boot", "i-1").labResults()).isEqualTo(Optional.empty());
    }
}
