package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.store.MemoryObjectStore;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sweeper's watch over the VMs of open runs, with in-memory runs, VMs, consoles and store. */
class ConsoleWatchTest {

    private static final String RUN = "run_pulllab-abc_20261205_060000";
    private static final String VM = "i-0123456789abcdef0";
    private static final String PREFIX = RUN + "/test_kernelci-boot/output/" + VM + "/";
    private static final Instant LAUNCH = Instant.parse("2026-12-05T06:00:00Z");
    private static final String LAB_TOKEN = "lab-token-0123456789";

    /** The run's VMs: alive until terminated. */
    private static final class Vms implements LiveVms {
        final Map<String, LiveVm> alive = new HashMap<>();
        final List<String> terminated = new ArrayList<>();

        @Override
        public List<LiveVm> alive(String runPrefix) {
            return alive.values().stream().sorted(java.util.Comparator.comparing(LiveVm::instanceId)).toList();
        }

        @Override
        public void terminate(String runPrefix, String instanceId) {
            alive.remove(instanceId);
            terminated.add(instanceId);
        }
    }

    private Instant clock = LAUNCH;
    private final MemoryObjectStore store = new MemoryObjectStore(() -> clock);
    private final Vms vms = new Vms();
    private final Map<String, String> consoles = new HashMap<>();

    private String text(String key) {
        return new String(store.object("results", key).orElseThrow(), StandardCharsets.UTF_8);
    }

    private ConsoleWatch watch(int maxVms) {
        RunRecord run = new RunRecord(RUN, "t", Optional.empty(), Executor.EC2, List.of("kernelci-boot"), List.of(),
                1, List.of(new LaunchedVm(Optional.of("kernelci-boot"), VM)), RunRecord.RunState.RUNNING,
                LAUNCH.getEpochSecond(), LAUNCH.plus(Duration.ofHours(3)).getEpochSecond());
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("open")) {
                        return List.of(run);
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        return new ConsoleWatch(runs, vms, id -> consoles.getOrDefault(id, "").getBytes(StandardCharsets.UTF_8),
                LogScrubber.forLab(LAB_TOKEN, null), store, "results",
                new VmWatch(Duration.ofMinutes(30), Duration.ofMinutes(15)), maxVms);
    }

    private ConsoleWatch.Sweep sweepAt(ConsoleWatch watch, Duration afterLaunch) {
        clock = LAUNCH.plus(afterLaunch);
        return watch.sweep(clock);
    }

    private void running(String id) {
        vms.alive.put(id, new LiveVms.LiveVm(id, "kernelci-boot", LAUNCH));
    }

    @Test
    @DisplayName("a panic on the console: the VM is terminated and gets result.txt quoting the line")
    void givenPanic_whenSwept_thenTerminatedWithFailedResult() {
        running(VM);
        consoles.put(VM, "[ 0.0] Linux version 6.13\n[ 1.9] Kernel panic - not syncing: VFS: Unable to mount root fs\n");

        ConsoleWatch.Sweep sweep = sweepAt(watch(10), Duration.ofMinutes(5));

        assertThat(vms.terminated).containsExactly(VM);
        assertThat(text(PREFIX + "result.txt")).isEqualTo("FAILED: kernel panic on the serial console: "
                + "\"Kernel panic - not syncing: VFS: Unable to mount root fs\"\n");
        assertThat(text(PREFIX + "console-output.log")).contains("Linux version 6.13");
        assertThat(sweep.failed()).singleElement().asString().contains(VM).contains("kernel panic");
    }

    @Test
    @DisplayName("the console kept each sweep is scrubbed, and the quoted line too")
    void givenSecretOnPanicLine_whenSwept_thenScrubbedEverywhere() {
        running(VM);
        consoles.put(VM, "[ 1.9] Kernel panic - not syncing: token " + LAB_TOKEN + "\n");

        sweepAt(watch(10), Duration.ofMinutes(5));

        assertThat(text(PREFIX + "console-output.log")).doesNotContain(LAB_TOKEN);
        assertThat(text(PREFIX + "result.txt")).doesNotContain(LAB_TOKEN).contains("[REDACTED:");
    }

    @Test
    @DisplayName("a VM that already wrote result.txt is left alone")
    void givenResultWritten_whenSwept_thenLeftAlone() {
        running(VM);
        consoles.put(VM, "[ 1.9] Kernel panic - not syncing: late, after the result\n");
        store.put("results", PREFIX + "result.txt", "SUCCESS\n".getBytes(StandardCharsets.UTF_8), "text/plain");

        sweepAt(watch(10), Duration.ofMinutes(5));

        assertThat(vms.terminated).isEmpty();
        assertThat(text(PREFIX + "result.txt")).isEqualTo("SUCCESS\n");
    }

    @Test
    @DisplayName("an unchanged console is not written again: its write time is when it last changed, and 30 min later it is a hang")
    void givenConsoleUnchanged_whenSweptPastThreshold_thenHang() {
        running(VM);
        consoles.put(VM, "[ 61.0] Amazon Linux 2023 login:\n");
        ConsoleWatch watch = watch(10);

        sweepAt(watch, Duration.ofMinutes(2));
        sweepAt(watch, Duration.ofMinutes(17));
        assertThat(vms.terminated).isEmpty();
        assertThat(store.entry("results", PREFIX + "console-output.log").orElseThrow().written())
                .isEqualTo(LAUNCH.plus(Duration.ofMinutes(2)));

        sweepAt(watch, Duration.ofMinutes(32));

        assertThat(vms.terminated).containsExactly(VM);
        assertThat(text(PREFIX + "result.txt"))
                .isEqualTo("FAILED: no console or stage output for 30 min (hang)\n");
    }

    @Test
    @DisplayName("a heartbeat on the console keeps a quiet stage alive")
    void givenHeartbeats_whenSwept_thenHealthy() {
        running(VM);
        ConsoleWatch watch = watch(10);
        for (int minute = 2; minute <= 92; minute += 15) {
            consoles.merge(VM, "[ " + minute * 60 + ".0] pullab: heartbeat run 1/1 running\n", String::concat);
            sweepAt(watch, Duration.ofMinutes(minute));
        }

        assertThat(vms.terminated).isEmpty();
    }

    @Test
    @DisplayName("a recent stage output keeps a VM with a quiet console alive")
    void givenRecentStageOutput_whenSwept_thenHealthy() {
        running(VM);
        consoles.put(VM, "[ 61.0] login:\n");
        ConsoleWatch watch = watch(10);
        sweepAt(watch, Duration.ofMinutes(2));
        clock = LAUNCH.plus(Duration.ofMinutes(25));
        store.put("results", PREFIX + "run-1-output.log", new byte[] {1}, "text/plain");

        sweepAt(watch, Duration.ofMinutes(47));

        assertThat(vms.terminated).isEmpty();
    }

    @Test
    @DisplayName("at most maxVms VMs are read per sweep; the others are skipped and read by a later sweep")
    void givenMoreVmsThanBound_whenSwept_thenBoundedAndRotated() {
        running("i-00000000000000001");
        running("i-00000000000000002");
        running("i-00000000000000003");
        ConsoleWatch watch = watch(2);

        ConsoleWatch.Sweep first = sweepAt(watch, Duration.ofMinutes(0));
        ConsoleWatch.Sweep second = sweepAt(watch, Duration.ofMinutes(15));

        assertThat(first.watched()).isEqualTo(2);
        assertThat(first.skipped()).isEqualTo(1);
        assertThat(second.watched()).isEqualTo(2);
        assertThat(second.skipped()).isEqualTo(1);
    }

    @Test
    @DisplayName("a console that cannot be read leaves the VM running (next sweep, or its deadline)")
    void givenConsoleReadFails_whenSwept_thenNotJudged() {
        running(VM);
        ConsoleWatch watch = new ConsoleWatch((RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> List.of(new RunRecord(RUN, "t",
                        Optional.empty(), Executor.EC2, List.of("kernelci-boot"), List.of(), 1, List.of(),
                        RunRecord.RunState.RUNNING, 0, LAUNCH.plus(Duration.ofHours(3)).getEpochSecond()))),
                vms, id -> {
                    throw new IllegalStateException("throttled");
                }, LogScrubber.forLab(null, null), store, "results",
                new VmWatch(Duration.ofMinutes(30), Duration.ofMinutes(15)), 10);

        ConsoleWatch.Sweep sweep = sweepAt(watch, Duration.ofHours(2));

        assertThat(sweep.watched()).isZero();
        assertThat(vms.terminated).isEmpty();
    }

    @Test
    @DisplayName("a VM whose test tag is not one of the run's tests is left alone, whatever its console says")
    void givenForeignTestTag_whenSwept_thenLeftAlone() {
        vms.alive.put(VM, new LiveVms.LiveVm(VM, "unknown", LAUNCH));
        consoles.put(VM, "[ 1.9] Kernel panic - not syncing: x\n");

        ConsoleWatch.Sweep sweep = sweepAt(watch(10), Duration.ofMinutes(5));

        assertThat(vms.terminated).isEmpty();
        assertThat(store.list("results", "")).isEmpty();
        assertThat(sweep.failed()).isEmpty();
    }
}
