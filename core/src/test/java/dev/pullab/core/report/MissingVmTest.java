package dev.pullab.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MissingVm: the VMs of a run that did not report")
class MissingVmTest {

    private static RunRecord run(List<String> tests, int expected, List<String> launched) {
        return new RunRecord("run_x", "x", Optional.empty(), Executor.EC2, tests, List.of(), expected,
                launched.stream().map(LaunchedVm::fromKey).toList(),
                RunRecord.RunState.ANALYSING, 0L, 0L);
    }

    @Test
    @DisplayName("launched instances that did not report are missing, with the run's test")
    void givenOneOfTwoReported_whenDerived_thenOtherMissing() {
        List<MissingVm> missing = MissingVm.forRun(run(List.of("boot"), 2, List.of("i-1", "i-2")),
                List.of(VmOutputs.of("boot", "i-1")));

        assertThat(missing).containsExactly(MissingVm.of("boot", "i-2"));
    }

    @Test
    @DisplayName("expected VMs that were never launched are missing without an instance id")
    void givenFewerLaunchedThanExpected_whenDerived_thenUnlaunchedMissing() {
        List<MissingVm> missing = MissingVm.forRun(run(List.of("boot"), 3, List.of("i-1")), List.of());

        assertThat(missing).containsExactly(MissingVm.of("boot", "i-1"), MissingVm.unlaunched("boot"),
                MissingVm.unlaunched("boot"));
    }

    @Test
    @DisplayName("in a run of several tests the missing VM's test is unknown")
    void givenTwoTests_whenDerived_thenUnknownTest() {
        List<MissingVm> missing = MissingVm.forRun(run(List.of("a", "b"), 1, List.of("i-1")), List.of());

        assertThat(missing).containsExactly(MissingVm.of(MissingVm.UNKNOWN_TEST, "i-1"));
    }

    @Test
    @DisplayName("a VM found by its launch tags but missing from the record is missing too, under its tagged test")
    void givenTaggedUnrecordedVm_whenDerived_thenMissingWithTaggedTest() {
        List<MissingVm> missing = MissingVm.forRun(run(List.of("a", "b"), 2, List.of("a/i-1")),
                List.of(VmOutputs.of("a", "i-1")), Map.of("i-2", "b", "i-1", "a"));

        assertThat(missing).containsExactly(MissingVm.of("b", "i-2"));
    }
}
