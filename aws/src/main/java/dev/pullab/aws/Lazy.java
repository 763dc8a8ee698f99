package dev.pullab.aws;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on its first use, once, then kept: how every handler's composition root holds its settings and SDK
 * clients. Building an SDK client is among the dearest steps of a cold start (the EC2 client alone loads some 800
 * request classes), and many invocations need only some of them: a sweep that finds no overdue run never builds the
 * closer or the EC2 client; a run of EC2 VMs never builds ECS. Thread-safe; a build that throws is tried again on the
 * next use.
 *
 * @param <T> what is built
 */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<? extends T> build;
    private volatile T value;

    private Lazy(Supplier<? extends T> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    /** {@code build} called on the first {@link #get()} only. */
    public static <T> Lazy<T> of(Supplier<? extends T> build) {
        return build instanceof Lazy<?> ? cast(build) : new Lazy<>(build);
    }

    @Override
    public T get() {
        T result = value;
        if (result == null) {
            synchronized (this) {
                result = value;
                if (result == null) {
                    result = Objects.requireNonNull(build.get(), "a lazy value was built as null");
                    value = result;
                }
            }
        }
        return result;
    }

    /**
     * Forgets the value, so the next {@link #get()} builds it again; returns the value forgotten, if one was built.
     * For a SnapStart restore ({@link SnapStartHooks}): clients built before the snapshot are dropped and rebuilt.
     */
    public synchronized java.util.Optional<T> reset() {
        T old = value;
        value = null;
        return java.util.Optional.ofNullable(old);
    }

    @SuppressWarnings("unchecked")
    private static <T> Lazy<T> cast(Supplier<? extends T> lazy) {
        return (Lazy<T>) lazy;
    }
}
