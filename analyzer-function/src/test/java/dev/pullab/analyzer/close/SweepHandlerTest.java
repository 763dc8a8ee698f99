package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.Ec2InstanceReaper;
import dev.pullab.core.run.RunStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sweeper's cold start: what only an overdue run needs is not built for a sweep that finds none. */
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
}
