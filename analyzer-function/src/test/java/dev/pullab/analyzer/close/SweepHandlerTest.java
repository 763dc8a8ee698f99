package dev.pullab.analyzer.close;

import dev.pullab.core.launch.WatchSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.core.launch.ConsoleWatch;
import dev.pullab.core.launch.LiveVms;
import dev.pullab.core.launch.VmReaper;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The sweeper: its cold start (what only an overdue run needs is not built for a sweep that finds none) and the order
 * of its work.
 */
class SweepHandlerTest {

    @Test
    @DisplayName("no overdue run: neither the closer nor the EC2 client is built")
    void givenNoOverdueRun_whenSwept_thenCloserAndEc2NeverBuilt() {
        AtomicInteger built = new AtomicInteger();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of();
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        SweepHandler handler = new SweepHandler(runs, () -> {
            built.incrementAndGet();
            throw new AssertionError("closer built");
        }, new Ec2InstanceReaper(() -> {
            built.incrementAndGet();
            throw new AssertionError("EC2 client built");
        }), "results", Clock.systemUTC());

        Map<String, Object> result = handler.handleRequest(Map.of(), null);

        assertThat(result).containsEntry("overdue_runs", 0);
        assertThat(built).hasValue(0);
    }

    @Test
    @DisplayName("overdue runs: the VMs of every one are terminated before the first run is closed")
    void givenOverdueRuns_whenSwept_thenAllVmsTerminatedBeforeAnyClose() {
        List<String> events = new ArrayList<>();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of(overdue("run_a_20260520_101530"), overdue("run_b_20260520_101530"));
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        VmReaper reaper = runPrefix -> {
            events.add("terminate " + runPrefix);
            return Map.of();
        };
        SweepHandler handler = new SweepHandler(runs, () -> {
            events.add("close");
            throw new IllegalStateException("the closer stops the sweep here");
        }, reaper, "results", Clock.systemUTC());

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null)).hasMessageContaining("stops the sweep");

        assertThat(events).containsExactly("terminate run_a_20260520_101530", "terminate run_b_20260520_101530",
                "close");
    }

    @Test
    @DisplayName("the watch over running VMs runs after the overdue VMs are terminated and before any run is closed")
    void givenWatch_whenSwept_thenBetweenTerminationAndClose() {
        List<String> events = new ArrayList<>();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of(overdue("run_a_20260520_101530"));
                    }
                    if (method.getName().equals("open")) {
                        events.add("watch");
                        return List.of();
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        VmReaper reaper = runPrefix -> {
            events.add("terminate " + runPrefix);
            return Map.of();
        };
        ConsoleWatch watch = new ConsoleWatch(runs, noVms(), id -> new byte[0], LogScrubber.forLab(null, null),
                noStore(), "results", WatchSettings.defaults().rule(), 10);
        SweepHandler handler = new SweepHandler(runs, () -> {
            events.add("close");
            throw new IllegalStateException("the closer stops the sweep here");
        }, reaper, "results", Clock.systemUTC(), () -> watch);

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null)).hasMessageContaining("stops the sweep");

        assertThat(events).containsExactly("terminate run_a_20260520_101530", "watch", "close");
    }

    @Test
    @DisplayName("a watch that fails (the runs table refuses its scan) is reported and the sweep goes on")
    void givenWatchFails_whenSwept_thenSweepCompletes() {
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of();
                    }
                    throw new IllegalStateException("scan throttled");
                });
        ConsoleWatch watch = new ConsoleWatch(runs, noVms(), id -> new byte[0], LogScrubber.forLab(null, null),
                noStore(), "results", WatchSettings.defaults().rule(), 10);
        SweepHandler handler = new SweepHandler(runs, () -> {
            throw new AssertionError("closer built");
        }, runPrefix -> Map.of(), "results", Clock.systemUTC(), () -> watch);

        Map<String, Object> result = handler.handleRequest(Map.of(), null);

        assertThat(result).containsEntry("overdue_runs", 0);
        assertThat(result.get("watch_error")).asString().contains("scan throttled");
    }

    @Test
    @DisplayName("a watch that cannot be built (a bad PULLAB_HANG_MINUTES) is reported; the overdue runs are still"
            + " closed")
    void givenWatchNotBuilt_whenSwept_thenOverdueRunsClosed() {
        List<String> events = new ArrayList<>();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        return List.of();
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of(overdue("run_a_20260520_101530"));
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        java.util.function.Supplier<ConsoleWatch> misconfigured = () -> {
            WatchSettings.resolve(Map.of("PULLAB_HANG_MINUTES", "soon"));
            throw new AssertionError("the settings are refused before any watch is built");
        };
        SweepHandler handler = new SweepHandler(runs, () -> {
            events.add("close");
            throw new IllegalStateException("the closer stops the sweep here");
        }, runPrefix -> Map.of(), "results", Clock.systemUTC(), misconfigured);

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null)).hasMessageContaining("stops the sweep");

        assertThat(events).containsExactly("close");
    }

    @Test
    @DisplayName("a run closed early whose deadline passed: its VMs still alive are terminated, and it is not closed"
            + " again")
    void givenClosedRunPastDeadline_whenSwept_thenItsVmsTerminatedNotClosedAgain() {
        List<String> events = new ArrayList<>();
        List<Long> window = new ArrayList<>();
        RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closedPastDeadline")) {
                        window.add((Long) args[0]);
                        window.add((Long) args[1]);
                        return List.of(overdue("run_done_20260520_101530"));
                    }
                    if (method.getName().equals("overdue")) {
                        return List.of();
                    }
                    throw new AssertionError("unexpected " + method.getName());
                });
        VmReaper reaper = runPrefix -> {
            events.add("terminate " + runPrefix);
            return Map.of("i-0123456789abcdef0", "kernelci-boot");
        };
        Clock clock = Clock.fixed(java.time.Instant.parse("2026-12-05T08:00:00Z"), java.time.ZoneOffset.UTC);
        SweepHandler handler = new SweepHandler(runs, () -> {
            throw new AssertionError("a closed run is not closed again");
        }, reaper, "results", clock);

        Map<String, Object> result = handler.handleRequest(Map.of(), null);

        assertThat(events).containsExactly("terminate run_done_20260520_101530");
        assertThat(result).containsEntry("closed_runs_checked", 1).containsEntry("overdue_runs", 0);
        assertThat(window).containsExactly(clock.instant().getEpochSecond() - 3600, clock.instant().getEpochSecond());
    }

    private static LiveVms noVms() {
        return new LiveVms() {
            @Override
            public List<LiveVm> alive(String runPrefix) {
                return List.of();
            }

            @Override
            public void terminate(String runPrefix, String instanceId) {
                throw new AssertionError("no VM to terminate");
            }
        };
    }

    private static ObjectStore noStore() {
        return (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    throw new AssertionError("unexpected " + method.getName());
                });
    }

    private static RunRecord overdue(String runPrefix) {
        return new RunRecord(runPrefix, "t", Optional.empty(), Executor.EC2, List.of("kernelci-boot"), List.of(), 1,
                List.of(), RunRecord.RunState.RUNNING, 0, 1);
    }
}
