package dev.pullab.core.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * When a running VM counts as failed: the sweeper's timing decision, pure (no clock, no I/O), so the fault harness
 * can replay it.
 *
 * <ul>
 *   <li>past the run's deadline: {@link Overdue} (the sweeper's overdue path terminates it and closes the run);</li>
 *   <li>a fatal console line (panic, oops, BUG): {@link Failed} at once, quoting the line;</li>
 *   <li>nothing new on the console and no stage output for {@code hangThreshold} less {@link #SLACK} (counted from
 *       the latest of launch, last console change, last stage output): {@link Failed} as a hang, quoting the
 *       console's last hang sign when it has one;</li>
 *   <li>otherwise {@link Healthy}.</li>
 * </ul>
 * A hang sign alone (a hung-task warning, a soft lockup report) does not fail a VM: kernels recover from them, and a
 * console that keeps printing them is not silent; such a VM ends at its deadline.
 *
 * <p>The sweeper sees a change only when it sweeps: a change is dated at the first sweep that saw it (by S3, a few
 * seconds after that sweep began), up to one interval late, and a verdict is reached at a later sweep. The
 * {@link #SLACK} of one minute absorbs those seconds and the sweeps' own start jitter, so that with a threshold that
 * is a multiple of the interval the verdict comes exactly threshold after the sweep that saw the last change, not one
 * interval later. Hence the worst cases of {@link #silenceDetection()} and {@link #fatalDetection()}.
 *
 * @param hangThreshold how long a VM may stay silent; {@link Duration#ZERO} turns hang detection off
 * @param sweepInterval how often the sweeper runs (15 minutes in the stack)
 */
public record VmWatch(Duration hangThreshold, Duration sweepInterval) {

    /**
     * How much less than the threshold a silence may be and still count: a sweep starts some seconds after its
     * schedule, and S3 dates a console written by a sweep a few seconds after that sweep's clock reading.
     */
    public static final Duration SLACK = Duration.ofMinutes(1);

    /** The stack's default hang threshold: 30 minutes ({@code PULLAB_HANG_MINUTES}). */
    public static final Duration DEFAULT_HANG_THRESHOLD = Duration.ofMinutes(30);

    public VmWatch {
        Objects.requireNonNull(hangThreshold, "hangThreshold");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        if (hangThreshold.isNegative() || !hangThreshold.isZero() && hangThreshold.compareTo(SLACK.multipliedBy(2)) < 0
                || sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("the hang threshold must be zero (off) or at least "
                    + SLACK.multipliedBy(2) + " and the sweep interval positive, got " + hangThreshold + " and "
                    + sweepInterval);
        }
    }

    /**
     * What is known of one VM at a sweep.
     *
     * @param launchedAt      when EC2 launched it
     * @param consoleChangeAt when its console was last seen to change (empty: never had any output)
     * @param stageOutputAt   when it last wrote an output other than the console (empty: none yet)
     * @param console         what its console says
     */
    public record Activity(Instant launchedAt, Optional<Instant> consoleChangeAt, Optional<Instant> stageOutputAt,
            KernelConsole.Reading console) {

        public Activity {
            Objects.requireNonNull(launchedAt, "launchedAt");
            Objects.requireNonNull(consoleChangeAt, "consoleChangeAt");
            Objects.requireNonNull(stageOutputAt, "stageOutputAt");
            Objects.requireNonNull(console, "console");
        }

        /** The latest sign of life: launch, console change or stage output. */
        public Instant lastSignOfLife() {
            return Stream.of(Optional.of(launchedAt), consoleChangeAt, stageOutputAt).flatMap(Optional::stream)
                    .max(Instant::compareTo).orElseThrow();
        }
    }

    /** The verdict on one VM. */
    public sealed interface Verdict permits Healthy, Failed, Overdue {
    }

    /** Running, nothing wrong seen. */
    public record Healthy() implements Verdict {
    }

    /**
     * To terminate now and report failed.
     *
     * @param reason the {@code result.txt} reason, e.g. {@code kernel panic on the serial console: "..."}
     */
    public record Failed(String reason) implements Verdict {

        /** The {@code result.txt} line: {@code FAILED: <reason>}. */
        public String resultLine() {
            return "FAILED: " + reason;
        }
    }

    /** Past the run's deadline: the sweeper's overdue path takes it. */
    public record Overdue() implements Verdict {
    }

    /** The verdict on a VM of a run whose deadline is {@code deadline}, at {@code now}. */
    public Verdict judge(Activity vm, Instant deadline, Instant now) {
        if (now.isAfter(deadline)) {
            return new Overdue();
        }
        if (vm.console().fatal().isPresent()) {
            return new Failed(vm.console().fatal().get().reason());
        }
        if (hangThreshold.isZero()) {
            return new Healthy();
        }
        Duration silent = Duration.between(vm.lastSignOfLife(), now);
        if (silent.compareTo(hangThreshold.minus(SLACK)) < 0) {
            return new Healthy();
        }
        return new Failed("no console or stage output for " + silent.toMinutes() + " min (hang)"
                + vm.console().hangSign().map(sign -> "; last hang sign: \"" + sign.line() + "\"").orElse(""));
    }

    /**
     * The longest a fatal console line stays undetected: one sweep interval (plus EC2's console delay, seconds with
     * {@code latest}).
     */
    public Duration fatalDetection() {
        return sweepInterval;
    }

    /**
     * The longest a VM that went silent stays undetected after its last sign of life: one interval until a sweep sees
     * the last change, then the whole intervals that cover the threshold less the slack (with the defaults, 15 + 30 =
     * 45 minutes); empty when hang detection is off (then the deadline plus one interval bounds it).
     */
    public Optional<Duration> silenceDetection() {
        if (hangThreshold.isZero()) {
            return Optional.empty();
        }
        long needed = hangThreshold.minus(SLACK).toSeconds();
        long interval = sweepInterval.toSeconds();
        long sweeps = (needed + interval - 1) / interval;
        return Optional.of(sweepInterval.plus(sweepInterval.multipliedBy(sweeps)));
    }

    /**
     * The longest a VM can run before it is terminated, given its run's deadline after launch: the earlier of
     * {@code silentAfterLaunch} + {@link #silenceDetection()} and deadline + one interval.
     *
     * @param silentAfterLaunch when after launch the VM's last sign of life is (its boot time, for a client that
     *                          never starts)
     */
    public Duration worstCaseRuntime(Duration deadlineAfterLaunch, Duration silentAfterLaunch) {
        Duration byDeadline = deadlineAfterLaunch.plus(sweepInterval);
        return silenceDetection().map(d -> silentAfterLaunch.plus(d)).filter(d -> d.compareTo(byDeadline) < 0)
                .orElse(byDeadline);
    }
}
