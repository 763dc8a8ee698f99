package dev.pullab.aws;

import java.util.ArrayList;
import java.util.List;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's Lambda SnapStart hooks ({@code org.crac}), registered by its composition root. They run only when the
 * stack deploys with {@code -c snapStart=on}: without SnapStart (the default) neither is ever called, and on a JDK
 * without CRaC registering does nothing.
 *
 * <ul>
 *   <li>{@link #beforeCheckpoint}, before Lambda snapshots the initialized environment: primes. It builds what the
 *       handler uses on every invocation (settings, clients, the assembled handler) and makes a harmless read-only
 *       call (a {@code DescribeTable} of the function's table), so the classes of the SDK's signing, HTTP, JSON and
 *       retry paths are loaded and initialized in the snapshot instead of in the first invocation.</li>
 *   <li>{@link #afterRestore}, in every environment restored from the snapshot: forgets every client and what was
 *       assembled from them, closing what can be closed, so the next invocation builds them anew. Connections opened
 *       before the snapshot are gone after a restore (the JDK HTTP client of the KernelCI and KCIDB clients is built
 *       anew with them; the SDK's URL-connection client keeps none of its own: {@code HttpURLConnection}'s JVM-wide
 *       keep-alive pool drops connections idle longer than their keep-alive). Randomness is not shared between
 *       restored environments: the retry jitter comes from a {@code SecureRandom} built with the client (Linux's
 *       NativePRNG mixes {@code /dev/urandom} into every draw), as does {@code UUID.randomUUID()} (the poller's
 *       request ids); nothing holds a seeded {@code Random} or uses {@code ThreadLocalRandom}, whose state would be
 *       the snapshot's in every restored environment.</li>
 * </ul>
 *
 * <p>What is forgotten is held in {@link Lazy} values (the composition root's), rebuilt on their next use.
 */
public final class SnapStartHooks implements Resource {

    private static final Logger LOG = LoggerFactory.getLogger(SnapStartHooks.class);

    private final String function;
    private final Runnable prime;
    private final List<Lazy<?>> rebuiltAfterRestore;

    /**
     * @param function            the function's name, for the log
     * @param prime               builds and exercises the hot path (no writes; at most harmless reads)
     * @param rebuiltAfterRestore the lazily built clients and what is assembled from them, forgotten (and closed when
     *                            {@link AutoCloseable}) after a restore
     */
    public SnapStartHooks(String function, Runnable prime, List<? extends Lazy<?>> rebuiltAfterRestore) {
        this.function = function;
        this.prime = prime;
        this.rebuiltAfterRestore = List.copyOf(rebuiltAfterRestore);
    }

    /**
     * The hooks, registered with {@code org.crac}'s global context. Keep the returned object in a static field of the
     * composition root: a CRaC context may hold its resources weakly.
     */
    public static SnapStartHooks register(String function, Runnable prime,
            List<? extends Lazy<?>> rebuiltAfterRestore) {
        SnapStartHooks hooks = new SnapStartHooks(function, prime, rebuiltAfterRestore);
        Core.getGlobalContext().register(hooks);
        return hooks;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        long start = System.nanoTime();
        prime.run();
        LOG.info("{}: primed for the snapshot in {} ms", function, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        List<String> unclosed = new ArrayList<>();
        for (Lazy<?> lazy : rebuiltAfterRestore) {
            lazy.reset().ifPresent(old -> {
                if (old instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        // a client that fails to close is dropped all the same; the restore goes on
                        unclosed.add(old.getClass().getSimpleName() + ": " + e);
                    }
                }
            });
        }
        LOG.info("{}: restored; {} cached value(s) dropped, rebuilt on next use{}", function,
                rebuiltAfterRestore.size(), unclosed.isEmpty() ? "" : " (not closed: " + unclosed + ")");
    }
}
