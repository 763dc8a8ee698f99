package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.ConsoleCapture;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.store.ObjectStore;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a run's close keeps of its VMs' consoles, and what it skips. */
class ClosingConsolesTest {

    private static final String RUN = "run_pulllab-abc_20261205_060000";

    private final List<String> read = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private final List<ObjectStore.StoredObject> listed = new ArrayList<>();
    private final ObjectStore store = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
            new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> switch (method.getName()) {
                case "list" -> listed;
                case "put" -> {
                    written.add((String) args[1]);
                    yield null;
                }
                default -> throw new AssertionError("unexpected " + method.getName());
            });

    private ClosingConsoles closing(int maxVms) {
        return new ClosingConsoles(store, new ConsoleCapture(id -> {
            read.add(id);
            return "[ 0.0] Linux version 6.12\n".getBytes(StandardCharsets.UTF_8);
        }, LogScrubber.withoutLabSecrets(), store, "results"), maxVms);
    }

    private static RunRecord run(Executor executor, String... vms) {
        return new RunRecord(RUN, "t", Optional.empty(), executor, List.of("kernelci-boot"), List.of(), vms.length,
                java.util.Arrays.stream(vms).map(id -> LaunchedVm.of("kernelci-boot", id)).toList(),
                RunRecord.RunState.ANALYSING, 0, 10);
    }

    @Test
    @DisplayName("each launched VM without a kept console gets one; one already kept (by the sweeper) is not read again")
    void givenOneConsoleKept_whenClosing_thenOnlyTheOtherRead() {
        listed.add(new ObjectStore.StoredObject(ConsoleCapture.key(RUN, "kernelci-boot", "i-0aaa00000001"), 10));

        closing(10).beforeClose("results", run(Executor.EC2, "i-0aaa00000001", "i-0bbb00000002"), Map.of());

        assertThat(read).containsExactly("i-0bbb00000002");
        assertThat(written).containsExactly(ConsoleCapture.key(RUN, "kernelci-boot", "i-0bbb00000002"));
    }

    @Test
    @DisplayName("a VM found only by its tags (the sweeper's close) has its console kept too")
    void givenTaggedVm_whenClosing_thenKept() {
        closing(10).beforeClose("results", run(Executor.EC2), Map.of("i-0ccc00000003", "kernelci-boot"));

        assertThat(read).containsExactly("i-0ccc00000003");
    }

    @Test
    @DisplayName("a Fargate run has no serial console: nothing is read")
    void givenFargateRun_whenClosing_thenNothingRead() {
        closing(10).beforeClose("results", run(Executor.FARGATE, "0123456789abcdef0123456789abcdef"), Map.of());

        assertThat(read).isEmpty();
    }

    @Test
    @DisplayName("at most maxVms consoles are read per close")
    void givenMoreVmsThanBound_whenClosing_thenBounded() {
        closing(2).beforeClose("results", run(Executor.EC2, "i-0aaa00000001", "i-0bbb00000002", "i-0ccc00000003"),
                Map.of());

        assertThat(read).containsExactly("i-0aaa00000001", "i-0bbb00000002");
    }

    @Test
    @DisplayName("a listing that fails is logged: the close goes on without consoles")
    void givenListingFails_whenClosing_thenNoThrow() {
        ObjectStore failing = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("S3 throttled");
                });

        new ClosingConsoles(failing, new ConsoleCapture(id -> new byte[0], LogScrubber.withoutLabSecrets(), failing,
                "results"), 10).beforeClose("results", run(Executor.EC2, "i-0aaa00000001"), Map.of());

        assertThat(read).isEmpty();
    }
}
