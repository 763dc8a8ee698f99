package dev.pullab.cli;

import dev.pullab.cli.local.LocalLab;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.report.html.RunsIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pullab local-run}: the whole lab on this machine, to see it work before giving it an AWS account. */
@Command(
        name = "local-run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Runs the whole lab on this machine: AWS on moto_server (or AWS_ENDPOINT_URL), the KernelCI API and "
                    + "KCIDB as local doubles, the real poller, orchestrator and analyzer handlers in-process, and "
                    + "every launched VM booted locally by running its test client (kernel installs simulated).",
            "",
            "The KernelCI double publishes the three fixture pull-lab jobs (boot on qemu-x86_64, LTP on "
                    + "qemu-arm64, kselftest on an arm64 board); a BuildComplete event starts a UnixBench kernel "
                    + "regression run on three VMs. The run ends with each run's summary, the regression report, and "
                    + "where the KCIDB submissions, reports (text, JSON, HTML with the charts inline; index.html "
                    + "lists the runs) and plots were written.",
            ""
        },
        footer = {
            "",
            "As a lab for the operator commands (two terminals):",
            "  pullab local-run --serve --work-dir pullab-local/lab",
            "  pullab run --lab pullab-local/lab/lab.env --config my-config.json --wait",
            "Needs: bash, the aws CLI, curl, unzip, tar/xz and moto_server (.ci/run installs them).",
            "VMs boot up to 4 at once (twice the processors, at most 4), with a line every 5 s while they run. "
                    + "Their aws CLI: PULLAB_AWS_CLI (an absolute path) if set, else the one pyenv resolves (called "
                    + "without its shim), else the one on PATH.",
            "With --api the VMs are this machine: a job's own test code runs as you, so --api needs --allow-job-code:",
            "  pullab local-run --api https://kernelci-api.example.org --allow-job-code",
            "Exit status (without --serve; with it, Ctrl-C ends it): 0 every run closed, every job taken finished in KernelCI and nothing dead-lettered, 1 "
                    + "otherwise (each job not finished is named on stderr)."
        })
final class LocalRunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--runtime", paramLabel = "NAME", defaultValue = "pull-labs-aws-ec2",
            description = "The runtime (lab) name jobs are scheduled to (default: ${DEFAULT-VALUE}).")
    private String runtime;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where outputs go (default: pullab-local/<date-time>).")
    private Path workDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeout;

    @Option(names = "--keep", description = "Keep the VM sandboxes (their HOME, logs and stage outputs).")
    private boolean keep;

    @Option(names = "--serve", description = "Keep the lab up after the demo, until Ctrl-C: writes the lab file "
            + "<work-dir>/lab.env at the start, and keeps running the functions and booting VMs for runs started "
            + "from another terminal (pullab run --lab <work-dir>/lab.env --config FILE --wait). --timeout then "
            + "bounds the demo only.")
    private boolean serve;

    @Option(names = "--api", paramLabel = "URL", description = "A real KernelCI API instead of the local double "
            + "(token from KERNELCI_API_TOKEN or UNIFIED_TOKEN; the VMs then download the jobs' real artifacts).")
    private URI api;

    @Option(names = "--kcidb", paramLabel = "URL", description = "A real KCIDB /submit instead of the local receiver "
            + "(JWT from KCIDB_JWT or UNIFIED_TOKEN, origin from KCIDB_ORIGIN, default pullab_local).")
    private URI kcidb;

    @Option(names = LocalLab.Options.ALLOW_JOB_CODE_OPTION, description = "With --api: run the jobs' own test code "
            + "(the programs in their kselftest tarballs and LTP root filesystems) on this machine as the current "
            + "user. "
            + "Without it --api refuses to start. Example: pullab local-run --api https://kernelci-api.example.org "
            + "--allow-job-code")
    private boolean allowJobCode;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "3",
            description = "How many jobs the KernelCI double publishes: the three fixture jobs, repeated with new node "
                    + "ids beyond three (0 to 30, default: ${DEFAULT-VALUE}).")
    private int jobs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = workDir != null ? workDir : Path.of("pullab-local",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LocalLab.Outcome outcome;
        if (jobs < 0 || jobs > 30) {
            throw new ParameterException(spec.commandLine(), "--jobs must be 0 to 30");
        }
        Map<String, String> env = System.getenv();
        Optional<String> token = Optional.ofNullable(env.get("KERNELCI_API_TOKEN"))
                .or(() -> Optional.ofNullable(env.get("UNIFIED_TOKEN")));
        Optional<KcidbSettings> kcidbSettings = Optional.ofNullable(kcidb)
                .map(url -> new KcidbSettings(url, Optional.ofNullable(env.get("KCIDB_JWT"))
                        .or(() -> Optional.ofNullable(env.get("UNIFIED_TOKEN"))).orElseThrow(() ->
                                new ParameterException(spec.commandLine(),
                                        "--kcidb needs KCIDB_JWT (or UNIFIED_TOKEN)")),
                        env.getOrDefault("KCIDB_ORIGIN", "pullab_local")));
        LocalLab.Options options = new LocalLab.Options(runtime, dir, keep, Duration.ofSeconds(timeout),
                Optional.ofNullable(api).map(url -> new KernelCiAccess(url, token)),
                kcidbSettings, jobs, allowJobCode);
        Optional<String> refusal = options.refusal();
        if (refusal.isPresent()) {
            throw new ParameterException(spec.commandLine(), refusal.get());
        }
        // --serve: Ctrl-C stops the rounds, and the JVM waits (a little) for the lab to close
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch closed = new CountDownLatch(1);
        try (LocalLab lab = new LocalLab(options,
                line -> {
                    err.println("[local-run] " + line);
                    err.flush();
                })) {
            if (!serve) {
                outcome = lab.run();
                return report(outcome, dir, out, err);
            }
            Path labFile = lab.open();
            out.println("lab file: " + labFile + " (pullab run --lab " + labFile + " --config FILE --wait)");
            out.flush();
            outcome = lab.run();
            report(outcome, dir, out, err);
            out.println();
            out.println("Serving the lab until Ctrl-C; in another terminal:");
            out.println("  pullab run --lab " + labFile + " --config FILE --wait --results-dir DIR");
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.set(true);
                try {
                    closed.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pullab-local-run-stop"));
            lab.serve(stop::get);
            return 0;
        } finally {
            closed.countDown();
        }
    }

    private static int report(LocalLab.Outcome outcome, Path dir, PrintWriter out, PrintWriter err)
            throws IOException {
        out.println();
        out.println("=".repeat(60));
        out.println("LOCAL RUN");
        out.println("=".repeat(60));
        for (RunRecord run : outcome.runs()) {
            out.printf(Locale.ROOT, "%s  %s  %d VM(s)  %s%n", run.runPrefix(), run.state(), run.expectedVms(),
                    run.jobNodeId().map(id -> "job " + id).orElse("BuildComplete"));
        }
        outcome.jobNodes().forEach((id, state) -> out.println("KernelCI node " + id + ": " + state));
        for (Path report : outcome.reports()) {
            if (report.getFileName().toString().equals("report.txt")) {
                out.println();
                out.print(Files.readString(report));
            }
        }
        out.println();
        outcome.submissions().forEach(p -> out.println("KCIDB submission: " + p));
        outcome.plots().forEach(p -> out.println("Plot: " + p));
        for (Path report : outcome.reports()) {
            String name = report.getFileName().toString();
            if (name.equals("report.html")) {
                out.println("HTML report: " + report.toAbsolutePath().toUri());
            } else if (name.equals(RunsIndex.FILE_NAME)) {
                out.println("Runs index: " + report.toAbsolutePath().toUri());
            }
        }
        for (Path report : outcome.reports()) {
            if (report.getFileName().toString().equals("artifacts.json")) {
                Path logs = report.resolveSibling("logs");
                long published;
                try (java.util.stream.Stream<Path> files = Files.exists(logs) ? Files.walk(logs)
                        : java.util.stream.Stream.empty()) {
                    published = files.filter(Files::isRegularFile).count();
                }
                out.println("Artifacts: " + report + " (" + published + " scrubbed logs published, copied to "
                        + logs + ")");
            }
        }
        out.printf(Locale.ROOT, "Dead-lettered messages: %d%nDone in %.1f s (outputs in %s)%n", outcome.deadLetters(),
                outcome.elapsed().toMillis() / 1000.0, dir);
        out.flush();
        outcome.notFinished().forEach((job, why) -> err.println("error: job " + job + " was not finished: " + why));
        out.flush();
        err.flush();
        return outcome.succeeded() ? 0 : 1;
    }
}
