package dev.pullab.core.launch;

import java.time.Duration;
import java.time.Instant;

/**
 * The launch intents of a lab (key {@code launch_id} = {@code <run prefix>#<vm index>}): a conditional write before
 * a VM is launched, completed with the instance id after. AWS deduplicates {@code RunInstances} by client token, but
 * emulators do not, and a crash can fall between the launch and its record: the intent is what makes a duplicate
 * message or a re-run never launch twice.
 *
 * <p>An intent is leased to the attempt that wrote it for {@link #LEASE}; a concurrent attempt finds it busy and
 * retries later. After the lease (the attempt died) the next attempt takes it over, first adopting any VM already
 * started for it (found by tag), else launching with the same client token.
 */
public interface LaunchIntents {

    /** Longer than any launch call takes; short enough for a crashed attempt's VM to be retried soon. */
    Duration LEASE = Duration.ofMinutes(5);

    /** What the caller may do with a launch. */
    sealed interface Claim {
        /** This caller must launch; {@code takenOver}: an earlier attempt may have started the VM already. */
        record Owned(boolean takenOver) implements Claim {
        }

        /** Launched already. */
        record Launched(String instanceId) implements Claim {
        }

        /** Another attempt is launching it right now. */
        record Busy() implements Claim {
        }
    }

    /**
     * Claims a launch: records the intent when there is none (leased until {@code now + LEASE}, kept until
     * {@code expiresAt}, epoch seconds), takes over one whose lease ran out, else says who has it.
     */
    Claim claim(String launchId, Instant now, long expiresAt);

    /** Completes an intent with what was launched. */
    void launched(String launchId, String instanceId);

    /**
     * One stored intent, as {@code pullab cleanup} lists them.
     *
     * @param launchId    {@code <run prefix>#<vm index>}
     * @param launched    whether it was completed with an instance (or task) id
     * @param instanceId  that id, once launched
     * @param leasedUntil epoch seconds until which the attempt that wrote it owns it
     * @param expiresAt   epoch seconds after which the table's TTL removes it
     */
    record Intent(String launchId, boolean launched, java.util.Optional<String> instanceId, long leasedUntil,
            long expiresAt) {

        /** The run prefix of its launch id. */
        public String runPrefix() {
            int hash = launchId.lastIndexOf('#');
            return hash < 0 ? launchId : launchId.substring(0, hash);
        }
    }

    /**
     * The stored intents, at most {@code maxScanned} (a bounded scan).
     *
     * @return the intents and whether the bound was reached before the table was read whole
     */
    Listed list(int maxScanned);

    /** The intents read, and whether more exist. */
    record Listed(java.util.List<Intent> intents, boolean truncated) {
        public Listed {
            intents = java.util.List.copyOf(intents);
        }
    }

    /**
     * Deletes an intent unless it changed since it was read (its lease still {@code leasedUntil}).
     *
     * @return false when it changed or is gone
     */
    boolean delete(String launchId, long leasedUntil);
}
