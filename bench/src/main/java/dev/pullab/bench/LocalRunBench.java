package dev.pullab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times {@code pullab local-run} as a user runs it (a new JVM each time, its own moto_server), N times, and prints
 * its wall time, its phases read from the progress lines' arrival times, the aws CLI processes its simulated VMs ran
 * and the longest silence between two progress lines; with {@code --baseline-jar}, the same for a pullab.jar built
 * from the baseline commit, the runs alternating so that both see the same load.
 *
 * <p>The aws CLI calls are counted by a shim that logs each call and runs the real CLI: for this build through
 * {@code PULLAB_AWS_CLI} (the shim calls the CLI pyenv resolves, as local-run itself does now); for a baseline, which
 * calls the CLI through pyenv's shim, through a pyenv root whose {@code shims/aws} is the counting shim in front of
 * pyenv's (or, without pyenv, the counting shim first on PATH). The shim adds one {@code sh} per call to both.
 *
 * <p>Phases: <b>setup</b> from the start to the BuildComplete line (JVM, moto_server, tables, doubles),
 * <b>VMs</b> from there to the last VM line (polls, launches, the simulated VMs), <b>close</b> from there to the
 * {@code Done in} line (sweeper, analyzer, reports), <b>exit</b> from there to the process's end.
 */
@Command(name = "bench/run local-run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Wall time, phases, aws CLI calls and the longest silence of `pullab local-run`, N runs, side by"
                + " side with a baseline pullab.jar.",
        footer = {"", "Example:", "  bench/run local-run --runs 3 --baseline-jar /tmp/pullab-main/cli/target/pullab.jar",
                "  bench/run local-run --runs 1 --dry-run", "",
                "Exit status: 0 every run succeeded, 1 a run failed (its output is kept under --work-dir),"
                        + " 2 bad usage."})
public final class LocalRunBench implements Callable<Integer> {

    /** The JVM flags of the ./pullab script. */
    static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Djava.awt.headless=true", "-Dsun.net.httpserver.nodelay=true");

    @Option(names = "--runs", description = "runs of each build (default: ${DEFAULT-VALUE}, 1 to 20)")
    int runs = 3;

    @Option(names = "--jar", description = "the pullab.jar measured (default: ${DEFAULT-VALUE})")
    Path jar = Path.of("cli/target/pullab.jar");

    @Option(names = "--baseline-jar", description = "a pullab.jar built from the baseline commit, measured alongside")
    Optional<Path> baselineJar = Optional.empty();

    @Option(names = "--work-dir", description = "where each run's outputs go (default: ${DEFAULT-VALUE})")
    Path workDir = Path.of("bench/target/local-run-bench");

    @Option(names = "--dry-run", description = "print what would run (commands, counting shims), run nothing")
    boolean dryRun;

    /** One build under test. */
    record Build(String label, Path jar, boolean baseline) {
    }

    /** A progress line and when it arrived, in seconds after the start. */
    record Line(double at, String text) {
    }

    /** What one run took and did. */
    record Measure(String label, int exit, double wallS, double setupS, double vmsS, double closeS, double exitS,
            int awsCalls, int uploadCalls, double longestSilenceS) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalRunBench()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (runs < 1 || runs > 20) {
            System.err.println("bench/run local-run: --runs must be 1 to 20, got " + runs);
            return 2;
        }
        List<Build> builds = new ArrayList<>();
        baselineJar.ifPresent(b -> builds.add(new Build("baseline", b, true)));
        builds.add(new Build("now", jar, false));
        for (Build build : builds) {
            if (!Files.isRegularFile(build.jar())) {
                System.err.println("bench/run local-run: " + build.jar() + " does not exist; build it first (mvn -B"
                        + " -q -pl cli -am package -DskipTests in its checkout)");
                return 2;
            }
        }
        Optional<Path> realAws = realAws();
        if (realAws.isEmpty() && !dryRun) {
            System.err.println("bench/run local-run: no aws CLI found (pyenv or PATH); install it as .ci/run does");
            return 2;
        }
        List<Measure> measures = new ArrayList<>();
        String loadAtStart = loadAverage();
        for (int run = 1; run <= runs; run++) {
            for (Build build : builds) {
                Path dir = workDir.toAbsolutePath().resolve(build.label() + "-" + run);
                Invocation invocation = prepare(build, dir, realAws.orElse(Path.of("aws")), !dryRun);
                if (dryRun) {
                    System.out.println(build.label() + " run " + run + ": " + String.join(" ", invocation.command()));
                    invocation.environment().forEach((k, v) -> System.out.println("  " + k + "=" + v));
                    continue;
                }
                Measure measure = measure(build.label(), invocation, dir);
                System.out.printf("%s run %d: %.1f s, %d aws calls (%d uploads), exit %d%n", build.label(), run,
                        measure.wallS(), measure.awsCalls(), measure.uploadCalls(), measure.exit());
                measures.add(measure);
            }
        }
        if (dryRun) {
            return 0;
        }
        print(measures, builds, System.out);
        System.out.println("load average: " + loadAverage() + " (at the start: " + loadAtStart + "), "
                + Runtime.getRuntime().availableProcessors() + " processors");
        return measures.stream().allMatch(m -> m.exit() == 0) ? 0 : 1;
    }

    /** A command, the variables it adds to the environment, and where its counting shim logs. */
    record Invocation(List<String> command, Map<String, String> environment, Path awsLog) {
    }

    /** How to start the run, and (when {@code write}) its directory and counting shim. */
    static Invocation prepare(Build build, Path dir, Path realAws, boolean write) throws IOException {
        Path count = dir.resolve("aws-count");
        Path log = dir.resolve("aws-calls.log");
        if (write) {
            Files.createDirectories(count);
            Files.deleteIfExists(log);
        }
        Map<String, String> env = new LinkedHashMap<>();
        Path pyenvShims = pyenvRoot().resolve("shims");
        if (!build.baseline()) {
            env.put("PULLAB_AWS_CLI", shim(count, log, realAws, write).toString());
        } else if (Files.isExecutable(pyenvShims.resolve("aws"))) {
            // the baseline calls aws through pyenv's shim: a pyenv root of links to its shims, aws counted first
            Path root = dir.resolve("pyenv");
            Path shims = root.resolve("shims");
            if (write) {
                Files.createDirectories(shims);
            }
            try (Stream<Path> all = write ? Files.list(pyenvShims) : Stream.empty()) {
                for (Path s : all.toList()) {
                    Path link = shims.resolve(s.getFileName());
                    if (!s.getFileName().toString().equals("aws") && !Files.exists(link)) {
                        Files.createSymbolicLink(link, s);
                    }
                }
            }
            shim(shims, log, pyenvShims.resolve("aws"), write);
            env.put("PYENV_ROOT", root.toString());
        } else {
            shim(count, log, realAws, write);
            env.put("PATH", count + ":" + Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", build.jar().toAbsolutePath().toString(), "local-run", "--work-dir",
                dir.resolve("out").toString()));
        return new Invocation(command, env, log);
    }

    private static Path shim(Path dir, Path log, Path target, boolean write) throws IOException {
        Path shim = dir.resolve("aws");
        if (!write) {
            return shim;
        }
        Files.writeString(shim, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\nexec '" + target + "' \"$@\"\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        return shim;
    }

    private static Measure measure(String label, Invocation invocation, Path dir)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(invocation.command()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(invocation.environment());
        long start = System.nanoTime();
        Process process = builder.start();
        List<Line> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String text = out.readLine(); text != null; text = out.readLine()) {
                lines.add(new Line((System.nanoTime() - start) / 1e9, text));
            }
        }
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Files.write(dir.resolve("progress.txt"), lines.stream().map(l -> String.format("%8.2f %s", l.at(),
                l.text())).toList(), StandardCharsets.UTF_8);
        List<String> calls = Files.exists(invocation.awsLog()) ? Files.readAllLines(invocation.awsLog()) : List.of();
        return measure(label, process.exitValue(), wall, lines, calls);
    }

    /** The figures of one run from its progress lines and the aws calls its shim logged. */
    static Measure measure(String label, int exit, double wall, List<Line> lines, List<String> awsCalls) {
        double buildComplete = first(lines, "BuildComplete event").orElse(0.0);
        double lastVm = lines.stream().filter(l -> l.text().contains("] VM ") || l.text().startsWith("VM "))
                .mapToDouble(Line::at).max().orElse(buildComplete);
        double done = first(lines, "Done in ").orElse(wall);
        double silence = 0;
        double previous = 0;
        for (Line line : lines) {
            silence = Math.max(silence, line.at() - previous);
            previous = line.at();
        }
        int uploads = (int) awsCalls.stream().filter(LocalRunBench::isUpload).count();
        return new Measure(label, exit, wall, buildComplete, lastVm - buildComplete, done - lastVm, wall - done,
                awsCalls.size(), uploads, silence);
    }

    /** An aws CLI call that writes to S3: a put-object, or a copy from a local path. */
    static boolean isUpload(String call) {
        return call.contains(" put-object ") || call.matches(".*\\bs3 cp (--[a-z-]+ )*/.*");
    }

    private static Optional<Double> first(List<Line> lines, String text) {
        return lines.stream().filter(l -> l.text().contains(text)).map(Line::at).findFirst();
    }

    /** The table: per build, median [min - max] of each figure. */
    static void print(List<Measure> measures, List<Build> builds, PrintStream out) {
        out.println();
        out.printf("%-26s", "pullab local-run");
        builds.forEach(b -> out.printf("%26s", b.label() + " (" + measures.stream()
                .filter(m -> m.label().equals(b.label())).count() + " runs)"));
        out.println();
        row(out, measures, builds, "wall time (s)", Measure::wallS);
        row(out, measures, builds, "  setup (s)", Measure::setupS);
        row(out, measures, builds, "  VMs: polls to last VM (s)", Measure::vmsS);
        row(out, measures, builds, "  close and reports (s)", Measure::closeS);
        row(out, measures, builds, "  exit (s)", Measure::exitS);
        row(out, measures, builds, "aws CLI calls", Measure::awsCalls);
        row(out, measures, builds, "  of them uploads", Measure::uploadCalls);
        row(out, measures, builds, "longest silence (s)", Measure::longestSilenceS);
        out.println("(median [min - max]; phases from the progress lines' arrival times)");
    }

    private static void row(PrintStream out, List<Measure> measures, List<Build> builds, String name,
            ToDoubleFunction<Measure> figure) {
        out.printf("%-26s", name);
        for (Build build : builds) {
            double[] values = measures.stream().filter(m -> m.label().equals(build.label())).mapToDouble(figure)
                    .sorted().toArray();
            out.printf("%26s", values.length == 0 ? "-" : String.format("%.1f [%.1f - %.1f]",
                    values[values.length / 2], values[0], values[values.length - 1]));
        }
        out.println();
    }

    /** The aws CLI the VMs end up running: the one pyenv resolves, else the first on PATH. */
    private static Optional<Path> realAws() throws InterruptedException {
        Path pyenv = pyenvRoot().resolve("libexec").resolve("pyenv");
        if (Files.isExecutable(pyenv) && Files.isExecutable(pyenvRoot().resolve("shims").resolve("aws"))) {
            try {
                ProcessBuilder builder = new ProcessBuilder(pyenv.toString(), "which", "aws")
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                builder.environment().put("PYENV_ROOT", pyenvRoot().toString());
                Process process = builder.start();
                String out = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 && !out.isEmpty()) {
                    return Optional.of(Path.of(out));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + pyenv, e);
            }
        }
        for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")) {
            Path aws = Path.of(dir.isEmpty() ? "." : dir, "aws");
            if (Files.isExecutable(aws) && !aws.startsWith(pyenvRoot())) {
                return Optional.of(aws.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** The 1, 5 and 15 minute load averages, or "unknown". */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Path pyenvRoot() {
        String home = Optional.ofNullable(System.getenv("HOME")).orElse(System.getProperty("user.home"));
        return Path.of(Optional.ofNullable(System.getenv("PYENV_ROOT")).orElse(home + "/.pyenv"));
    }
}
