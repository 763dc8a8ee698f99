package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.core.launch.VmReaper;
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

    private static RunRecord overdue(String runPrefix) {
        return new RunRecord(runPrefix, "t", Optional.empty(), Executor.EC2, List.of("kernelci-boot"), List.of(), 1,
                List.of(), RunRecord.RunState.RUNNING, 0, 1);
    }
}
