package dev.pullab.core.launch;

import dev.pullab.core.config.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The sweeper's watch over running VMs (panic and hang detection), from the sweeper function's environment.
 *
 * <ul>
 *   <li>{@code PULLAB_HANG_MINUTES} (default 30; 0 turns hang detection off; else 10 to 1440): a VM whose console
 *       has not changed and that wrote no stage output for this long (less a minute of slack) is terminated and
 *       reported {@code FAILED: no console or stage output for N min (hang)}. The VM client prints a heartbeat to the
 *       kernel log every 5 minutes while a stage runs, hence the minimum of 10.</li>
 *   <li>{@code PULLAB_WATCH_MAX_VMS} (default 100, 1 to 1000): at most this many VMs have their console read per sweep;
 *       the others are logged and read by later sweeps.</li>
 * </ul>
 * A fatal console line (kernel panic, oops, BUG) always fails a VM at the next sweep. The sweep interval is the
 * stack's schedule, {@value #SWEEP_MINUTES} minutes.
 *
 * @param rule   the timing rule
 * @param maxVms VMs read per sweep at most
 */
public record WatchSettings(VmWatch rule, int maxVms) {

    /** The sweeper's schedule in the stack (infra-cdk's SweepSchedule). */
    public static final int SWEEP_MINUTES = 15;
    /** The default of {@code PULLAB_WATCH_MAX_VMS}. */
    public static final int DEFAULT_MAX_VMS = 100;

    /** The defaults: 30 minutes, 100 VMs a sweep. */
    public static WatchSettings defaults() {
        return new WatchSettings(new VmWatch(VmWatch.DEFAULT_HANG_THRESHOLD, Duration.ofMinutes(SWEEP_MINUTES)),
                DEFAULT_MAX_VMS);
    }

    public static WatchSettings resolve(Map<String, String> env) {
        int hang = number(env, "PULLAB_HANG_MINUTES", (int) VmWatch.DEFAULT_HANG_THRESHOLD.toMinutes(), 0, 1440);
        if (hang > 0 && hang < 10) {
            throw new ConfigurationException("PULLAB_HANG_MINUTES must be 0 (off) or from 10 to 1440, got " + hang
                    + ": the VM client's heartbeat comes every 5 minutes");
        }
        int maxVms = number(env, "PULLAB_WATCH_MAX_VMS", DEFAULT_MAX_VMS, 1, 1000);
        return new WatchSettings(new VmWatch(Duration.ofMinutes(hang), Duration.ofMinutes(SWEEP_MINUTES)), maxVms);
    }

    private static int number(Map<String, String> env, String name, int fallback, int min, int max) {
        Optional<String> text = Optional.ofNullable(env.get(name)).map(String::strip).filter(t -> !t.isEmpty());
        if (text.isEmpty()) {
            return fallback;
        }
        if (!text.get().matches("[0-9]{1,4}") || Integer.parseInt(text.get()) < min
                || Integer.parseInt(text.get()) > max) {
            throw new ConfigurationException(name + " must be a whole number from " + min + " to " + max + ", got '"
                    + text.get() + "'");
        }
        return Integer.parseInt(text.get());
    }
}
