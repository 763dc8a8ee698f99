package dev.pullab.bench;

import dev.pullab.analyzer.close.RunCloser;
import dev.pullab.analyzer.close.SweepHandler;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.launch.ConsoleReader;
import dev.pullab.core.launch.ConsoleWatch;
import dev.pullab.core.launch.LiveVms;
import dev.pullab.core.launch.VmReaper;
import dev.pullab.core.launch.VmWatch;
import dev.pullab.core.launch.WatchSettings;
import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import dev.pullab.core.store.MemoryObjectStore;
import dev.pullab.testkit.SettableClock;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The leak harness: how long a VM that goes wrong is billed, before (the sweeper's overdue path only, as the lab was
 * before issue 20) and now (the sweeper's watch over running VMs and its check of closed runs), against the README's
 * worst case. One VM per run, the default platform (max runtime M = 7200 s), the run recorded at launch (deadline
 * M + 1800 s), the sweeper every 15 minutes at each phase from 0 to 14 minutes after the launch.
 *
 * <p>What runs is the lab's own code: {@link SweepHandler} (the order of a sweep), {@link ConsoleWatch} and
 * {@link VmWatch} (panic and hang verdicts), {@link LogScrubber}, with the clock simulated minute by minute. What is
 * simulated is the VM (its console line by line, its outputs in an in-memory bucket written at simulated times, its
 * guest timers powering it off), EC2 (which VMs are alive; terminating one) and the runs table. Closing an overdue run
 * is not measured: the run store answers that another invocation owns the close, so the closer returns at once.
 * Billed time is from launch to termination (EC2 stops billing at {@code shutting-down}).
 */
@Command(name = "bench/run leaks", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Billed VM-minutes of wedged VMs (client never starts, panic at boot, silent hang, reported but"
                + " never powered off), before and after the sweeper's watch, against the README's worst case.",
        footer = {"", "Example:", "  bench/run leaks", "  bench/run leaks --hang-minutes 20"})
public final class LeakHarness implements Callable<Integer> {

    /** The default platform's max runtime. */
    static final Duration MAX_RUNTIME = Duration.ofSeconds(7200);
    /** The run's deadline after its record: max runtime plus the grace ({@code RunLauncher.DEADLINE_GRACE}). */
    static final Duration DEADLINE = MAX_RUNTIME.plusSeconds(1800);
    /** The user-data watchdog: max runtime plus 600 s. */
    static final Duration WATCHDOG = MAX_RUNTIME.plusSeconds(600);
    /** The sweep interval of the stack. */
    static final Duration SWEEP = Duration.ofMinutes(WatchSettings.SWEEP_MINUTES);
    /** The README's worst case for a wedged VM whose guest timers all failed: M + 1800 s + one sweep. */
    static final Duration README_WORST = DEADLINE.plus(SWEEP);
    /** How long a simulation runs at most: a VM still alive then counts as never terminated. */
    static final Duration HORIZON = Duration.ofHours(24);

    private static final Instant LAUNCH = Instant.parse("2026-12-05T06:00:00Z");
    private static final String BUCKET = "results";
    private static final String TEST = "kernelci-boot";
    private static final String VM = "i-0a1b2c3d4e5f60718";

    @Option(names = "--hang-minutes", description = "the sweeper's hang threshold, PULLAB_HANG_MINUTES (default: "
            + "${DEFAULT-VALUE})")
    int hangMinutes = (int) VmWatch.DEFAULT_HANG_THRESHOLD.toMinutes();

    /**
     * One way a VM goes (wrong).
     *
     * @param name       what happens
     * @param console    its console lines, each at its minute after launch
     * @param outputs    minutes after launch at which it writes a stage output
     * @param reportsAt  when it writes {@code result.txt} (its run then closes: DONE)
     * @param powersOff  when its guest powers it off by itself (a timer, or the client at its end), if ever
     * @param bound      the longest this scenario may be billed now, by the lab's own rule ({@link VmWatch})
     */
    record Scenario(String name, List<Line> console, List<Long> outputs, OptionalLong reportsAt,
            OptionalLong powersOff, Duration bound) {
    }

    /** A console line at a minute after launch. */
    record Line(long minute, String text) {
    }

    /** The billed minutes of one scenario over all sweep phases; {@code -1} when it was still alive at the horizon. */
    record Billed(long max, double mean, long min) {

        static Billed of(List<Long> minutes) {
            if (minutes.stream().anyMatch(m -> m < 0)) {
                return new Billed(-1, -1, minutes.stream().mapToLong(Long::longValue).min().orElse(-1));
            }
            return new Billed(minutes.stream().mapToLong(Long::longValue).max().orElseThrow(),
                    minutes.stream().mapToLong(Long::longValue).average().orElseThrow(),
                    minutes.stream().mapToLong(Long::longValue).min().orElseThrow());
        }

        String text() {
            return max < 0 ? "never (leak)" : String.format("%d / %.0f", max, mean);
        }
    }

    /** One row: a scenario billed before and now. */
    record Row(Scenario scenario, Billed before, Billed now) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LeakHarness()).execute(args));
    }

    @Override
    public Integer call() {
        VmWatch rule;
        try { // the sweeper's own rule for the setting: 0 (off) or 10 to 1440 minutes
            rule = WatchSettings.resolve(Map.of("PULLAB_HANG_MINUTES", Integer.toString(hangMinutes))).rule();
        } catch (ConfigurationException bad) {
            System.err.println("bench/run leaks: --hang-minutes " + hangMinutes + ": " + bad.getMessage());
            return 2;
        }
        run(rule, 15, System.out);
        return 0;
    }

    /** Every scenario before and now, at {@code phases} sweep phases (1 to 15), printed as a table. */
    static List<Row> run(VmWatch rule, int phases, PrintStream out) {
        List<Row> rows = new ArrayList<>();
        out.printf("Leak scenarios: one VM, max runtime %d s, deadline %d s after launch, a sweep every %d min at %d"
                + " phases; hang threshold %d min.%n", MAX_RUNTIME.toSeconds(), DEADLINE.toSeconds(),
                SWEEP.toMinutes(), phases, rule.hangThreshold().toMinutes());
        out.println("Billed minutes (launch to termination), max / mean over the phases.");
        out.printf("%-58s | %-14s | %-14s | %-9s | %s%n", "scenario", "before", "now", "now bound",
                "README worst");
        for (Scenario scenario : scenarios(rule)) {
            Billed before = billed(scenario, rule, false, phases);
            Billed now = billed(scenario, rule, true, phases);
            rows.add(new Row(scenario, before, now));
            out.printf("%-58s | %-14s | %-14s | %-9d | %d%n", scenario.name(), before.text(), now.text(),
                    scenario.bound().toMinutes(), README_WORST.toMinutes());
        }
        return rows;
    }

    /** The scenarios, with the bound the lab's rule gives each now. */
    static List<Scenario> scenarios(VmWatch rule) {
        List<Line> boot = List.of(
                new Line(0, "[    0.000000] Linux version 6.1.150-170.1.amzn2023.x86_64 (mockbuild@ip-10-0-1-1)"
                        + " (gcc (GCC) 11.4.1) #1 SMP PREEMPT_DYNAMIC"),
                new Line(0, "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=UUID=0f1e console=ttyS0"
                        + " panic=10"),
                new Line(1, "[   21.402113] cloud-init[1602]: Cloud-init v. 22.2.2 running 'modules:final'"));
        Duration deadlineBound = DEADLINE.plus(rule.sweepInterval());
        List<Scenario> all = new ArrayList<>();
        all.add(new Scenario("healthy: 100-min benchmark, heartbeats, reports, powers off",
                withHeartbeats(boot, 2, 100), List.of(2L, 50L, 100L), OptionalLong.of(100), OptionalLong.of(101),
                Duration.ofMinutes(101)));
        all.add(new Scenario("client never starts, user-data watchdog armed", boot, List.of(), OptionalLong.empty(),
                OptionalLong.of(1 + WATCHDOG.toMinutes()),
                min(rule.worstCaseRuntime(DEADLINE, Duration.ofMinutes(1)), Duration.ofMinutes(1).plus(WATCHDOG))));
        all.add(new Scenario("client never starts, no guest timer (cloud-init never ran)", boot.subList(0, 2),
                List.of(), OptionalLong.empty(), OptionalLong.empty(),
                rule.worstCaseRuntime(DEADLINE, Duration.ZERO)));
        List<Line> panic = new ArrayList<>(boot.subList(0, 2));
        panic.add(new Line(1, "[    1.874520] Kernel panic - not syncing: VFS: Unable to mount root fs on"
                + " unknown-block(0,0)"));
        all.add(new Scenario("kernel panics at boot (no guest timer)", panic, List.of(), OptionalLong.empty(),
                OptionalLong.empty(), min(Duration.ofMinutes(1).plus(rule.fatalDetection()), deadlineBound)));
        all.add(new Scenario("silent hang at 40 min, mid-stage (every timer dead)", withHeartbeats(boot, 2, 40),
                List.of(2L, 30L), OptionalLong.empty(), OptionalLong.empty(),
                rule.worstCaseRuntime(DEADLINE, Duration.ofMinutes(40))));
        all.add(new Scenario("reported at 20 min, never powered off (run closed)", withHeartbeats(boot, 2, 20),
                List.of(2L, 20L), OptionalLong.of(20), OptionalLong.empty(), deadlineBound));
        return all;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static List<Line> withHeartbeats(List<Line> boot, long from, long to) {
        List<Line> lines = new ArrayList<>(boot);
        for (long m = from; m <= to; m += 5) {
            lines.add(new Line(m, String.format("[%5d.000000] pullab: heartbeat stage 1 running %d s", m * 60,
                    (m - from) * 60)));
        }
        return lines;
    }

    /** The billed minutes of {@code scenario} at each of {@code phases} sweep phases. */
    static Billed billed(Scenario scenario, VmWatch rule, boolean now, int phases) {
        List<Long> minutes = new ArrayList<>();
        for (int phase = 0; phase < phases; phase++) {
            minutes.add(simulate(scenario, rule, now, phase));
        }
        return Billed.of(minutes);
    }

    /**
     * One VM's life, minute by minute, with a sweep at {@code phase} + k × 15 minutes; the minute it was terminated
     * (by its guest or by the sweeper), or -1 when it was alive at the horizon.
     */
    static long simulate(Scenario scenario, VmWatch rule, boolean now, int phase) {
        SettableClock clock = new SettableClock(LAUNCH);
        MemoryObjectStore bucket = new MemoryObjectStore(clock::instant);
        SimulatedVm vm = new SimulatedVm(scenario, clock);
        String runPrefix = "run_leak-" + (now ? "now" : "before") + "-" + phase + "_20261205_060000";
        SimulatedRuns runs = new SimulatedRuns(new RunRecord(runPrefix, "leak harness", Optional.empty(), Executor.EC2,
                List.of(TEST), List.of(), 1, List.of(new LaunchedVm(Optional.of(TEST), VM)),
                RunRecord.RunState.RUNNING, LAUNCH.getEpochSecond(), LAUNCH.plus(DEADLINE).getEpochSecond()), now);
        // another invocation owns every close: the closer returns at once (closing is not what is measured here)
        RunCloser closer = new RunCloser(runs.store(), null, null, null, Optional.empty(), Optional.empty(),
                Optional.empty(), clock, RunCloser.BeforeClose.NOTHING, null);
        SweepHandler sweeper = now
                ? new SweepHandler(runs.store(), closer, vm, BUCKET, clock, new ConsoleWatch(runs.store(), vm,
                        vm, LogScrubber.forLab(null, null), bucket, BUCKET, rule, WatchSettings.DEFAULT_MAX_VMS))
                : new SweepHandler(runs.store(), closer, vm, BUCKET, clock);
        String prefix = runPrefix + "/test_" + TEST + "/output/" + VM + "/";
        for (long minute = 0; minute <= HORIZON.toMinutes(); minute++) {
            clock.set(LAUNCH.plus(Duration.ofMinutes(minute)));
            for (long at : scenario.outputs()) {
                if (at == minute) {
                    bucket.with(BUCKET, prefix + "run-1-output.log", "stage output at minute " + minute + "\n");
                }
            }
            if (scenario.reportsAt().isPresent() && scenario.reportsAt().getAsLong() == minute) {
                bucket.with(BUCKET, prefix + "result.txt", "SUCCESS\n");
                runs.close();
            }
            if (scenario.powersOff().isPresent() && scenario.powersOff().getAsLong() == minute) {
                vm.terminated = true;
            }
            if (!vm.terminated && minute % SWEEP.toMinutes() == phase) {
                sweeper.handleRequest(Map.of(), null);
            }
            if (vm.terminated) {
                return minute;
            }
        }
        return -1;
    }

    /** The one VM: its console up to the simulated now; alive until its guest or the sweeper ends it. */
    private static final class SimulatedVm implements LiveVms, VmReaper, ConsoleReader {
        private final Scenario scenario;
        private final Clock clock;
        boolean terminated;

        SimulatedVm(Scenario scenario, Clock clock) {
            this.scenario = scenario;
            this.clock = clock;
        }

        private long minute() {
            return Duration.between(LAUNCH, clock.instant()).toMinutes();
        }

        @Override
        public byte[] latest(String instanceId) {
            StringBuilder console = new StringBuilder();
            scenario.console().stream().filter(line -> line.minute() <= minute())
                    .forEach(line -> console.append(line.text()).append('\n'));
            return console.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<LiveVm> alive(String runPrefix) {
            return terminated ? List.of() : List.of(new LiveVm(VM, TEST, LAUNCH));
        }

        @Override
        public void terminate(String runPrefix, String instanceId) {
            terminated = true;
        }

        @Override
        public Map<String, String> terminate(String runPrefix) {
            terminated = true;
            return Map.of(VM, TEST);
        }
    }

    /**
     * The runs table as the sweeper reads it, for the one run: open until it reports, overdue past its deadline while
     * not closed; its closed-past-deadline check answered only {@code now} (before, the sweeper had none).
     */
    private static final class SimulatedRuns {
        private final AtomicReference<RunRecord> run;
        private final RunStore store;

        SimulatedRuns(RunRecord record, boolean now) {
            this.run = new AtomicReference<>(record);
            this.store = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                    new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                        RunRecord r = run.get();
                        boolean done = r.state() == RunRecord.RunState.DONE;
                        return switch (method.getName()) {
                            case "overdue" -> !done && r.deadline() < (Long) args[0] ? List.of(r) : List.of();
                            case "open" -> !done && r.deadline() >= (Long) args[0] ? List.of(r) : List.of();
                            case "closedPastDeadline" -> now && done && r.deadline() >= (Long) args[0]
                                    && r.deadline() < (Long) args[1] ? List.of(r) : List.of();
                            case "startAnalysis" -> false;
                            case "find" -> Optional.empty();
                            default -> throw new UnsupportedOperationException("the leak harness's runs table does"
                                    + " not answer " + method.getName());
                        };
                    });
        }

        RunStore store() {
            return store;
        }

        void close() {
            RunRecord r = run.get();
            run.set(new RunRecord(r.runPrefix(), r.testId(), r.jobNodeId(), r.executor(), r.tests(), r.kernels(),
                    r.expectedVms(), r.launched(), RunRecord.RunState.DONE, r.createdAt(), r.deadline()));
        }
    }
}
