package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sweeper's timing decision on one running VM, and its worst cases. */
class VmWatchTest {

    private static final Instant LAUNCH = Instant.parse("2026-12-05T06:00:00Z");
    private static final Instant DEADLINE = LAUNCH.plus(Duration.ofMinutes(130));
    private static final VmWatch WATCH = new VmWatch(Duration.ofMinutes(30), Duration.ofMinutes(15));
    private static final KernelConsole.Reading QUIET = KernelConsole.read("[ 1.0] login:\n");

    private static VmWatch.Activity activity(Optional<Instant> console, Optional<Instant> stage,
            KernelConsole.Reading reading) {
        return new VmWatch.Activity(LAUNCH, console, stage, reading);
    }

    @Test
    @DisplayName("a console that changed 10 minutes ago is healthy")
    void givenRecentConsoleChange_whenJudged_thenHealthy() {
        assertThat(WATCH.judge(activity(Optional.of(LAUNCH.plusSeconds(3000)), Optional.empty(), QUIET), DEADLINE,
                LAUNCH.plusSeconds(3600))).isEqualTo(new VmWatch.Healthy());
    }

    @Test
    @DisplayName("silent for the threshold (console and stage outputs): failed as a hang, minutes named")
    void givenSilentPastThreshold_whenJudged_thenFailedHang() {
        VmWatch.Verdict verdict = WATCH.judge(activity(Optional.of(LAUNCH.plusSeconds(60)),
                Optional.of(LAUNCH.plusSeconds(120)), QUIET), DEADLINE, LAUNCH.plus(Duration.ofMinutes(40)));

        assertThat(verdict).isEqualTo(new VmWatch.Failed("no console or stage output for 38 min (hang)"));
        assertThat(((VmWatch.Failed) verdict).resultLine()).isEqualTo(
                "FAILED: no console or stage output for 38 min (hang)");
    }

    @Test
    @DisplayName("a quiet console but a recent stage output is healthy (a long quiet benchmark)")
    void givenQuietConsoleRecentStageOutput_whenJudged_thenHealthy() {
        assertThat(WATCH.judge(activity(Optional.of(LAUNCH.plusSeconds(60)),
                Optional.of(LAUNCH.plus(Duration.ofMinutes(35))), QUIET), DEADLINE,
                LAUNCH.plus(Duration.ofMinutes(40)))).isEqualTo(new VmWatch.Healthy());
    }

    @Test
    @DisplayName("a VM with no console at all counts from its launch; a minute's slack below the threshold counts")
    void givenNoConsoleEver_whenJudged_thenCountedFromLaunch() {
        assertThat(WATCH.judge(activity(Optional.empty(), Optional.empty(), KernelConsole.read("")), DEADLINE,
                LAUNCH.plus(Duration.ofSeconds(29 * 60 - 1)))).isEqualTo(new VmWatch.Healthy());
        assertThat(WATCH.judge(activity(Optional.empty(), Optional.empty(), KernelConsole.read("")), DEADLINE,
                LAUNCH.plus(Duration.ofMinutes(29)))).isEqualTo(
                        new VmWatch.Failed("no console or stage output for 29 min (hang)"));
    }

    @Test
    @DisplayName("a hang names the console's last hang sign")
    void givenHangWithSign_whenJudged_thenSignQuoted() {
        KernelConsole.Reading reading = KernelConsole.read(
                "[ 245.1] INFO: task jbd2/nvme0n1p1-:412 blocked for more than 122 seconds.\n");

        assertThat(WATCH.judge(activity(Optional.of(LAUNCH), Optional.empty(), reading), DEADLINE,
                LAUNCH.plus(Duration.ofMinutes(31)))).isEqualTo(new VmWatch.Failed(
                        "no console or stage output for 31 min (hang); last hang sign: \"INFO: task "
                                + "jbd2/nvme0n1p1-:412 blocked for more than 122 seconds.\""));
    }

    @Test
    @DisplayName("a hang sign on a console that still changes is healthy")
    void givenHangSignButActive_whenJudged_thenHealthy() {
        KernelConsole.Reading reading = KernelConsole.read("[ 1.0] BUG: soft lockup - CPU#0 stuck for 22s!\n");

        assertThat(WATCH.judge(activity(Optional.of(LAUNCH.plusSeconds(600)), Optional.empty(), reading), DEADLINE,
                LAUNCH.plusSeconds(700))).isEqualTo(new VmWatch.Healthy());
    }

    @Test
    @DisplayName("a fatal line fails the VM at once, even with a console that just changed")
    void givenPanic_whenJudged_thenFailedAtOnce() {
        KernelConsole.Reading reading = KernelConsole.read("[ 1.9] Kernel panic - not syncing: VFS: Unable to mount\n");

        assertThat(WATCH.judge(activity(Optional.of(LAUNCH.plusSeconds(60)), Optional.empty(), reading), DEADLINE,
                LAUNCH.plusSeconds(60))).isEqualTo(new VmWatch.Failed(
                        "kernel panic on the serial console: \"Kernel panic - not syncing: VFS: Unable to mount\""));
    }

    @Test
    @DisplayName("past the deadline: overdue, whatever the console says")
    void givenPastDeadline_whenJudged_thenOverdue() {
        KernelConsole.Reading reading = KernelConsole.read("[ 1.9] Kernel panic - not syncing: x\n");

        assertThat(WATCH.judge(activity(Optional.empty(), Optional.empty(), reading), DEADLINE,
                DEADLINE.plusSeconds(1))).isEqualTo(new VmWatch.Overdue());
    }

    @Test
    @DisplayName("a zero threshold turns hang detection off: a VM silent for hours stays healthy until its deadline")
    void givenZeroThreshold_whenSilent_thenHealthy() {
        VmWatch off = new VmWatch(Duration.ZERO, Duration.ofMinutes(15));

        assertThat(off.judge(activity(Optional.empty(), Optional.empty(), QUIET), DEADLINE,
                DEADLINE.minusSeconds(1))).isEqualTo(new VmWatch.Healthy());
        assertThat(off.silenceDetection()).isEmpty();
    }

    @Test
    @DisplayName("worst cases at the defaults (30 min, 15 min sweeps, deadline 150 min): panic 15 min, silence 45 min")
    void givenDefaults_whenWorstCases_thenStated() {
        assertThat(WATCH.fatalDetection()).isEqualTo(Duration.ofMinutes(15));
        assertThat(WATCH.silenceDetection()).contains(Duration.ofMinutes(45));
        assertThat(new VmWatch(Duration.ofMinutes(40), Duration.ofMinutes(15)).silenceDetection())
                .contains(Duration.ofMinutes(60));
        // a client that never starts: silent after a 2-minute boot
        assertThat(WATCH.worstCaseRuntime(Duration.ofMinutes(150), Duration.ofMinutes(2)))
                .isEqualTo(Duration.ofMinutes(47));
        // hang detection off: the deadline plus one sweep
        assertThat(new VmWatch(Duration.ZERO, Duration.ofMinutes(15))
                .worstCaseRuntime(Duration.ofMinutes(150), Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(165));
    }

    @Test
    @DisplayName("a negative or sub-2-minute threshold or a zero interval is refused, naming both")
    void givenBadSettings_whenBuilt_thenRefused() {
        assertThatThrownBy(() -> new VmWatch(Duration.ofMinutes(-1), Duration.ofMinutes(15)))
                .hasMessageContaining("PT-1M");
        assertThatThrownBy(() -> new VmWatch(Duration.ofMinutes(1), Duration.ofMinutes(15)))
                .hasMessageContaining("at least PT2M");
        assertThatThrownBy(() -> new VmWatch(Duration.ofMinutes(30), Duration.ZERO)).hasMessageContaining("PT0S");
    }
}
