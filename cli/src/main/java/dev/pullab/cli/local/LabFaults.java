package dev.pullab.cli.local;

import dev.pullab.core.http.RetryPolicy;
import dev.pullab.testkit.KcidbReceiverDouble;
import dev.pullab.testkit.KernelCiApiDouble;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Faults a local run injects into the lab, for the fault harness; {@link #NONE} for a normal run. The lab consults it
 * at the points where AWS would misbehave: how often a queue delivers a batch, what every AWS call of a function may
 * do ({@link #interceptors()}, which may throw {@link InjectedCrash}), what the KernelCI and KCIDB doubles answer
 * ({@link #round}), which clock the functions' leases run on, and which VMs' kernels panic at boot
 * ({@link #panicsAtBoot}).
 */
public interface LabFaults {

    /** No faults: every event delivered once, nothing crashes, the system clock. */
    LabFaults NONE = new LabFaults() {
    };

    /** Added to every AWS client the functions use (not to the lab's own plumbing). */
    default List<ExecutionInterceptor> interceptors() {
        return List.of();
    }

    /** The clock of the functions (leases, deadlines, run prefixes). */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** How the functions retry KernelCI and KCIDB calls. */
    default RetryPolicy retryPolicy() {
        return RetryPolicy.defaults();
    }

    /** How many times a batch received from {@code queue} ({@code jobs} or {@code results}) is handed over. */
    default int deliveries(String queue) {
        return 1;
    }

    /**
     * Whether the first two of the {@link #deliveries} just asked for are handed over at the same moment, on two
     * threads (as two Lambda instances receiving the same message, or two schedule firings, overlap); asked only when
     * there are at least two. The others follow one after the other.
     */
    default boolean concurrently(String queue) {
        return false;
    }

    /**
     * Before each invocation of {@code function}, on the thread that runs it (concurrent deliveries run on threads
     * of their own): {@code poller}, {@code orchestrator}, {@code trigger} or {@code analyzer}.
     */
    default void invoking(String function) {
    }

    /**
     * Messages of {@code queue} failed and go back to the queue: SQS hands them out again after the queue's visibility
     * timeout, which the lab does not wait for (a fault plan with its own clock moves it on).
     */
    default void redelivering(String queue) {
    }

    /** An invocation died of an injected crash; the lab retries it as AWS would. */
    default void crashed(String function, InjectedCrash crash) {
    }

    /**
     * Whether a VM of {@code test} boots a kernel that panics before user space (its console ends with
     * {@link LocalConsoles#ROOT_FS_PANIC}, the client never runs, the VM stays up until the sweeper's watch terminates
     * it). Asked once per VM, in boot order.
     */
    default boolean panicsAtBoot(String test) {
        return false;
    }

    /** At the start of each round of the lab's loop (poll, drain the jobs queue, boot VMs, drain results). */
    default void round(int round, KernelCiApiDouble api, KcidbReceiverDouble kcidb) {
    }
}
