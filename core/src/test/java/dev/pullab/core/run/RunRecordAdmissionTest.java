package dev.pullab.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunRecord.admit: a result counts only from a VM the run launched, for its own test")
class RunRecordAdmissionTest {

    private static RunRecord run(RunRecord.RunState state, List<LaunchedVm> launched) {
        return new RunRecord("run_x_20261204_101500", "x", Optional.empty(), Executor.EC2, List.of("boot", "ltp"),
                List.of(), 3, launched, state, 0L, 0L);
    }

    @Test
    @DisplayName("a launched VM's result for its own test counts")
    void givenLaunchedVm_whenItsTestReports_thenCounted() {
        RunRecord run = run(RunRecord.RunState.RUNNING, List.of(LaunchedVm.of("boot", "i-1")));

        assertThat(run.admit("boot", "i-1")).isEqualTo(RunRecord.Admission.COUNTED);
    }

    @Test
    @DisplayName("a result of an instance the run never launched is foreign")
    void givenUnlaunchedInstance_whenReports_thenForeign() {
        RunRecord run = run(RunRecord.RunState.RUNNING, List.of(LaunchedVm.of("boot", "i-1")));

        assertThat(run.admit("boot", "i-9")).isEqualTo(RunRecord.Admission.FOREIGN);
    }

    @Test
    @DisplayName("a launched VM's result under another test of the run is foreign")
    void givenLaunchedVm_whenReportsUnderOtherTest_thenForeign() {
        RunRecord run = run(RunRecord.RunState.RUNNING, List.of(LaunchedVm.of("boot", "i-1")));

        assertThat(run.admit("ltp", "i-1")).isEqualTo(RunRecord.Admission.FOREIGN);
    }

    @Test
    @DisplayName("while the run is launching, an unknown VM of one of its tests is not yet recorded")
    void givenLaunchingRun_whenUnknownVmReports_thenNotYetRecorded() {
        RunRecord run = run(RunRecord.RunState.LAUNCHING, List.of());

        assertThat(run.admit("boot", "i-2")).isEqualTo(RunRecord.Admission.NOT_YET_RECORDED);
    }

    @Test
    @DisplayName("while the run is launching, a test the run does not have is still foreign")
    void givenLaunchingRun_whenUnknownTestReports_thenForeign() {
        RunRecord run = run(RunRecord.RunState.LAUNCHING, List.of());

        assertThat(run.admit("kselftest", "i-2")).isEqualTo(RunRecord.Admission.FOREIGN);
    }

    @Test
    @DisplayName("a run recorded without tests per VM (an earlier version) admits its instances under any test")
    void givenLegacyRecord_whenInstanceReports_thenCounted() {
        RunRecord run = run(RunRecord.RunState.RUNNING, List.of(LaunchedVm.fromKey("i-1")));

        assertThat(run.admit("ltp", "i-1")).isEqualTo(RunRecord.Admission.COUNTED);
        assertThat(run.admit("ltp", "i-2")).isEqualTo(RunRecord.Admission.FOREIGN);
    }
}
