package dev.pullab.analyzer.close;

import dev.pullab.core.launch.WatchSettings;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.pullab.core.launch.ConsoleWatch;
import dev.pullab.core.launch.VmReaper;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweeper (scheduled): closes runs past their deadline. Their VMs that are still alive are terminated (found by
 * tag; those of every overdue run before any run is closed, so a VM outlives its run's deadline by at most one
 * schedule interval), the VMs that never reported count as MISS, the analysis runs on what arrived, and the job node is finished
 * ({@code incomplete}, {@code Infrastructure}, when nothing usable arrived); a job node already finished elsewhere is
 * left untouched.
 *
 * <p>Between terminating the overdue VMs and closing their runs, it watches the VMs of the runs still open
 * ({@link ConsoleWatch}): a VM whose serial console shows a kernel panic, oops or BUG, or that stayed silent past the
 * hang threshold ({@link WatchSettings}), is terminated then and reported failed with the reason.
 */
public final class SweepHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private static final Logger LOG = LoggerFactory.getLogger(SweepHandler.class);

    /** How long after its deadline a closed run's VMs are still looked for: four sweeps of the stack's schedule. */
    static final java.time.Duration CLOSED_RUN_WINDOW = java.time.Duration.ofMinutes(4L * WatchSettings.SWEEP_MINUTES);

    private final Supplier<RunStore> runs;
    private final Supplier<RunCloser> closer;
    private final VmReaper reaper;
    private final String bucket;
    private final Clock clock;
    private final Supplier<ConsoleWatch> watch;

    /**
     * Used by Lambda: built once per execution environment. Only the runs table is set up in init; the closer (with
     * its secrets, S3, KCIDB and KernelCI clients) and the EC2 client on the first overdue run: most sweeps find none.
     */
    public SweepHandler() {
        this(AnalyzerEnvironment.runs(), () -> AnalyzerEnvironment.closer().get(), AnalyzerEnvironment.reaper(),
                AnalyzerEnvironment.resultsBucket(), Clock.systemUTC(), AnalyzerEnvironment.watch());
    }

    /** For in-process runs (pullab local-run) and tests: without the watch over running VMs. */
    public SweepHandler(RunStore runs, RunCloser closer, VmReaper reaper, String bucket, Clock clock) {
        this(runs, () -> closer, reaper, bucket, clock);
    }

    /** For in-process runs and tests, watching running VMs with {@code watch}. */
    public SweepHandler(RunStore runs, RunCloser closer, VmReaper reaper, String bucket, Clock clock,
            ConsoleWatch watch) {
        this(runs, () -> closer, reaper, bucket, clock, () -> watch);
    }

    /** With the closer built by {@code closer} when the first overdue run is found; no watch. */
    SweepHandler(RunStore runs, Supplier<RunCloser> closer, VmReaper reaper, String bucket, Clock clock) {
        this(runs, closer, reaper, bucket, clock, () -> null);
    }

    /** With the watch built by {@code watch} (null: none) on the first sweep. */
    SweepHandler(RunStore runs, Supplier<RunCloser> closer, VmReaper reaper, String bucket, Clock clock,
            Supplier<ConsoleWatch> watch) {
        this(() -> runs, closer, reaper, bucket, clock, watch);
    }

    /** With the runs table's store as {@code runs} gives it (again after a SnapStart restore). */
    private SweepHandler(Supplier<RunStore> runs, Supplier<RunCloser> closer, VmReaper reaper, String bucket,
            Clock clock, Supplier<ConsoleWatch> watch) {
        this.runs = runs;
        this.closer = closer;
        this.reaper = reaper;
        this.bucket = bucket;
        this.clock = clock;
        this.watch = watch;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        List<String> closed = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        List<RunRecord> overdue = runs.get().overdue(now);
        // every overdue run's VMs first: a slow close (KCIDB, KernelCI) must not keep another run's VMs alive
        Map<String, Map<String, String>> vmsOfRun = new LinkedHashMap<>();
        for (RunRecord run : overdue) {
            vmsOfRun.put(run.runPrefix(), reaper.terminate(run.runPrefix()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("closed_runs_checked", reapClosedRuns(now));
        watchRunning(result);
        for (RunRecord run : overdue) {
            Map<String, String> vms = vmsOfRun.get(run.runPrefix());
            String outcome;
            try {
                outcome = closer.get().closeOverdue(bucket, run, vms);
            } catch (RunBusyException busy) {
                outcome = busy.getMessage() + " (next sweep)";
            }
            LOG.info("sweeper: {}", outcome);
            closed.add(outcome);
        }
        result.put("overdue_runs", closed.size());
        result.put("closed", closed);
        return result;
    }

    /**
     * The VMs of runs already closed whose deadline passed within {@link #CLOSED_RUN_WINDOW}: a VM that reported and
     * then never powered off (its guest timers failing too) is terminated here, its console kept, at most one sweep
     * after its run's deadline, as an overdue run's would be. The window spans four sweeps, so a sweep whose EC2 call
     * fails is made good by the next ones; a run is checked only in that window, so a sweep costs one EC2 call per
     * run closed in the last hour, not per run ever closed. A failure is logged and never stops the sweep.
     */
    private int reapClosedRuns(long now) {
        try {
            List<RunRecord> closed = runs.get().closedPastDeadline(now - CLOSED_RUN_WINDOW.toSeconds(), now);
            for (RunRecord run : closed) {
                reaper.terminate(run.runPrefix());
            }
            return closed.size();
        } catch (RuntimeException e) {
            LOG.warn("sweeper: checking closed runs for VMs still alive failed this sweep ({}); next sweep",
                    e.toString());
            return 0;
        }
    }

    /**
     * The watch over the open runs' VMs; a failure of it (a bad {@code PULLAB_HANG_MINUTES} included) is logged and
     * never stops the sweep: the overdue runs are still closed.
     */
    private void watchRunning(Map<String, Object> result) {
        try {
            ConsoleWatch running = watch.get();
            if (running == null) {
                return;
            }
            ConsoleWatch.Sweep sweep = running.sweep(clock.instant());
            LOG.info("sweeper: watched {} running VMs, failed {}, skipped {}", sweep.watched(), sweep.failed().size(),
                    sweep.skipped());
            result.put("watched_vms", sweep.watched());
            result.put("failed_vms", sweep.failed());
            result.put("skipped_vms", sweep.skipped());
        } catch (RuntimeException e) {
            LOG.warn("sweeper: the watch over running VMs failed this sweep ({}); next sweep", e.toString());
            result.put("watch_error", e.toString());
        }
    }
}
