package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@DisplayName("SnapStartHooks: priming before the snapshot, fresh clients after a restore")
class SnapStartHooksTest {

    /** Something a function caches that holds a connection: records its closing. */
    private static final class Connection implements AutoCloseable {
        private final int number;
        private boolean closed;

        Connection(int number) {
            this.number = number;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    @DisplayName("beforeCheckpoint runs the priming, once per checkpoint, and builds nothing else")
    void beforeCheckpointPrimes() {
        AtomicInteger primed = new AtomicInteger();
        AtomicInteger builds = new AtomicInteger();
        Lazy<Connection> connection = Lazy.of(() -> new Connection(builds.incrementAndGet()));
        SnapStartHooks hooks = new SnapStartHooks("poller", primed::incrementAndGet, List.of(connection));

        hooks.beforeCheckpoint(null);

        assertThat(primed).hasValue(1);
        assertThat(builds).hasValue(0);
    }

    @Test
    @DisplayName("afterRestore closes each cached value and the next use builds a new one")
    void afterRestoreClosesAndRebuilds() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Connection> connection = Lazy.of(() -> new Connection(builds.incrementAndGet()));
        SnapStartHooks hooks = new SnapStartHooks("orchestrator", () -> connection.get(), List.of(connection));
        hooks.beforeCheckpoint(null);
        Connection beforeSnapshot = connection.get();

        hooks.afterRestore(null);
        Connection afterRestore = connection.get();

        assertThat(beforeSnapshot.closed).isTrue();
        assertThat(afterRestore).isNotSameAs(beforeSnapshot);
        assertThat(afterRestore.number).isEqualTo(2);
        assertThat(afterRestore.closed).isFalse();
    }

    @Test
    @DisplayName("afterRestore rebuilds a real SDK client: the one built before the snapshot is not used again")
    void afterRestoreRebuildsSdkClients() {
        Lazy<DynamoDbClient> dynamo = Lazy.of(() -> AwsClients.dynamoDb(Optional.of("eu-west-2")));
        SnapStartHooks hooks = new SnapStartHooks("analyzer", dynamo::get, List.of(dynamo));
        hooks.beforeCheckpoint(null);
        DynamoDbClient beforeSnapshot = dynamo.get();

        hooks.afterRestore(null);

        assertThat(dynamo.get()).isNotSameAs(beforeSnapshot);
        dynamo.get().close();
    }

    @Test
    @DisplayName("afterRestore leaves unbuilt values unbuilt (the EC2 client of a function that never launched)")
    void afterRestoreBuildsNothing() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Connection> unused = Lazy.of(() -> new Connection(builds.incrementAndGet()));
        SnapStartHooks hooks = new SnapStartHooks("sweeper", () -> { }, List.of(unused));

        hooks.afterRestore(null);

        assertThat(builds).hasValue(0);
    }

    @Test
    @DisplayName("a value that fails to close is dropped all the same, and the others are still closed")
    void afterRestoreSurvivesAFailedClose() {
        List<String> closed = new ArrayList<>();
        Lazy<AutoCloseable> failing = Lazy.of(() -> () -> {
            throw new IllegalStateException("socket already gone");
        });
        Lazy<AutoCloseable> fine = Lazy.of(() -> () -> closed.add("fine"));
        failing.get();
        AutoCloseable fineBefore = fine.get();
        SnapStartHooks hooks = new SnapStartHooks("poller", () -> { }, List.of(failing, fine));

        hooks.afterRestore(null);

        assertThat(closed).containsExactly("fine");
        assertThat(fine.get()).isNotSameAs(fineBefore);
    }

    @Test
    @DisplayName("registering on a JDK without CRaC does nothing and keeps the hooks callable")
    void registerWithoutCrac() {
        AtomicInteger primed = new AtomicInteger();

        SnapStartHooks hooks = SnapStartHooks.register("poller", primed::incrementAndGet, List.of());
        hooks.beforeCheckpoint(null);

        assertThat(primed).hasValue(1);
    }
}
