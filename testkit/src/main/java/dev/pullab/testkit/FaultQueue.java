package dev.pullab.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The {@link KernelCiApiDouble}'s injected faults, in the order they were asked for: each answers one request,
 * whatever its route. Thread-safe.
 */
final class FaultQueue {

    /**
     * One injected fault.
     *
     * @param status the status to answer without handling the request; unused when {@code delay} is set
     * @param delay  how long to wait before handling the request normally, or null
     */
    record Fault(int status, Duration delay) {
    }

    private final Deque<Fault> faults = new ArrayDeque<>();

    /** See {@link KernelCiApiDouble#failNext}. */
    void failNext(int count, int status) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("count " + count + ", status " + status);
        }
        add(count, new Fault(status, null));
    }

    /** See {@link KernelCiApiDouble#delayNext}. */
    void delayNext(int count, Duration delay) {
        if (count < 0 || delay.isNegative()) {
            throw new IllegalArgumentException("count " + count + ", delay " + delay);
        }
        add(count, new Fault(0, delay));
    }

    private void add(int count, Fault fault) {
        synchronized (faults) {
            for (int i = 0; i < count; i++) {
                faults.add(fault);
            }
        }
    }

    /** The fault for the request just received, null when none is queued. */
    Fault poll() {
        synchronized (faults) {
            return faults.poll();
        }
    }
}
