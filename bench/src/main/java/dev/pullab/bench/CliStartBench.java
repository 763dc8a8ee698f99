package dev.pullab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CLI's first answer as a whole process: {@code pullab analyze --input DIR} of a {@link BenchRunData} run (100
 * VMs x 24 metrics x 2 kernels by default) started N times, alternating with the same analysis by pullab_cloud's
 * Python analyzer and two JVM floors, each run timed for wall clock and user+sys CPU (the shell's {@code times} of
 * its child). Rows: the floors ({@code java -version} with the launcher's flags, and {@link CliReadFloor}, the least
 * a JVM program can do for the answer, from a jar of its own with its own class-data sharing archive), before (plain
 * {@code java -jar}, the launcher's flags until issue 23), previous (another checkout's {@code ./pullab}, when
 * given), now (the {@code ./pullab} launcher: its flags and class-data sharing archive, made once before the
 * measured runs in a cache of the bench's own), and pullab_cloud's analyzer when its source is given, run by the
 * Python interpreter itself (a pyenv shim in front of it is resolved once, as a pullab_cloud installation would
 * run it).
 */
public final class CliStartBench {

    /** The run's files: BenchRunData's generator. */
    static final String RUN_NAME = "run_unixbench-cli-start_20261205_120000";

    /** The row of {@link CliReadFloor}. */
    static final String READ_FLOOR = "floor: read + sum the CSVs (java)";

    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");

    private CliStartBench() {
    }

    /**
     * @param runs        whole-process runs of each command
     * @param vms         VMs of the run
     * @param metrics     metrics per CSV
     * @param root        the reactor root (./pullab and cli/target/pullab.jar)
     * @param beforeJar   the jar the "before" row runs (default: the current one)
     * @param pullabCloud pullab_cloud's src/ directory (holds kernel_ci_cloud_labs), if given
     * @param python      the Python interpreter
     * @param classes     also count the classes each JVM loads (one extra run each)
     * @param previous    another checkout whose {@code ./pullab} (and built jar) is measured too, if given
     */
    record Options(int runs, int vms, int metrics, Path root, Path beforeJar, Optional<Path> pullabCloud,
            String python, boolean classes, Optional<Path> previous) {

        Options {
            if (runs < 1 || runs > 1000 || vms < 1 || vms > 10_000 || metrics < 1 || metrics > 1000) {
                throw new IllegalArgumentException("need 1 <= --runs <= 1000, 1 <= --vms <= 10000, "
                        + "1 <= --metrics <= 1000");
            }
        }

        static Options parse(String... args) {
            int runs = 10;
            int vms = 100;
            int metrics = 24;
            Path root = null;
            Path before = null;
            Path cloud = Optional.ofNullable(System.getenv("PULLAB_CLOUD_SRC")).filter(s -> !s.isBlank())
                    .map(Path::of).orElse(null);
            String python = "python3";
            boolean classes = true;
            Path previous = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--runs" -> runs = integer(args, ++i, "--runs");
                    case "--vms" -> vms = integer(args, ++i, "--vms");
                    case "--metrics" -> metrics = integer(args, ++i, "--metrics");
                    case "--root" -> root = Path.of(value(args, ++i, "--root"));
                    case "--before-jar" -> before = Path.of(value(args, ++i, "--before-jar"));
                    case "--pullab-cloud" -> cloud = Path.of(value(args, ++i, "--pullab-cloud"));
                    case "--python" -> python = value(args, ++i, "--python");
                    case "--no-classes" -> classes = false;
                    case "--previous" -> previous = Path.of(value(args, ++i, "--previous"));
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                }
            }
            Path reactor = root == null ? ColdStartBench.findRoot() : root;
            Path jar = reactor.resolve("cli/target/pullab.jar");
            if (!Files.isRegularFile(jar) || !Files.isRegularFile(reactor.resolve("pullab"))) {
                throw new IllegalArgumentException(jar + " is not built: run mvn -B -q -pl cli -am package "
                        + "-DskipTests");
            }
            if (cloud != null && !Files.isRegularFile(
                    cloud.resolve("kernel_ci_cloud_labs/core/benchmark_analyzer.py"))) {
                throw new IllegalArgumentException("--pullab-cloud " + cloud + " has no kernel_ci_cloud_labs/core/"
                        + "benchmark_analyzer.py: give pullab_cloud's src/ directory");
            }
            if (previous != null && !Files.isRegularFile(previous.resolve("cli/target/pullab.jar"))) {
                throw new IllegalArgumentException("--previous " + previous + " has no cli/target/pullab.jar: give a "
                        + "checkout built with mvn -B -q -pl cli -am package -DskipTests");
            }
            return new Options(runs, vms, metrics, reactor, before == null ? jar : before, Optional.ofNullable(cloud),
                    python, classes, Optional.ofNullable(previous));
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int integer(String[] args, int i, String option) {
            String value = value(args, i, option);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
            }
        }
    }

    /** One command measured. */
    record Command(String name, List<String> argv, Map<String, String> env) {
    }

    /** One whole-process run: wall and user+sys CPU of the command, in milliseconds. */
    record Sample(double wallMillis, double cpuMillis) {
    }

    /** A command's samples and its summaries. */
    record Row(Command command, List<Sample> samples) {
        BenchStats.Summary wall() {
            return BenchStats.Summary.of(samples.stream().mapToDouble(Sample::wallMillis).toArray());
        }

        BenchStats.Summary cpu() {
            return BenchStats.Summary.of(samples.stream().mapToDouble(Sample::cpuMillis).toArray());
        }
    }

    static String help() {
        return """
                Usage: bench/run cli-start [--runs N] [--vms N] [--metrics N] [--pullab-cloud DIR]
                                           [--before-jar JAR] [--previous DIR] [--python PY] [--root DIR]
                                           [--no-classes]
                The CLI's first answer: pullab analyze --input DIR of a run of --vms VMs x --metrics metrics x
                2 kernels, as whole processes, N times each (alternating), wall and user+sys CPU.
                  --runs N            whole-process runs of each command (default 10)
                  --pullab-cloud DIR  pullab_cloud's src/ (kernel_ci_cloud_labs/...): also run its analyzer
                                      (default: PULLAB_CLOUD_SRC; without it that row is left out)
                  --before-jar JAR    the jar of the "before" row (default: cli/target/pullab.jar)
                  --previous DIR      also measure DIR/pullab, another checkout's launcher and jar (built)
                  --python PY         the Python that runs pullab_cloud (default: python3, resolved to the
                                      interpreter itself when it is a pyenv shim)
                  --no-classes        do not count the classes each JVM loads
                Example: bench/run cli-start --runs 10 --pullab-cloud ~/src/pullab_cloud/src
                """;
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(help());
            return;
        }
        System.exit(BenchStats.execute("cli-start", () -> Options.parse(args), o -> run(o, System.out)));
    }

    /** Writes the run, makes the launcher's archive, measures every command, prints the table; the rows. */
    static List<Row> run(Options options, PrintStream out) {
        Path work = createWork(options.root());
        try {
            Path runDir = work.resolve(RUN_NAME);
            for (Map.Entry<String, byte[]> file : BenchRunData.files(options.vms(), options.metrics(), 42, true)
                    .entrySet()) {
                Path path = runDir.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.write(path, file.getValue());
            }
            Path driver = work.resolve("pullab_cloud_analyze.py");
            try (InputStream in = CliStartBench.class.getResourceAsStream("pullab_cloud_analyze.py")) {
                Files.write(driver, in.readAllBytes());
            }
            Map<String, String> cache = Map.of("XDG_CACHE_HOME", work.resolve("cache").toString());
            Path floorJar = work.resolve("floor.jar");
            writeFloorJar(floorJar);
            String python = python(options.python());
            List<Command> commands = commands(options, python, runDir, driver, cache, floorJar);

            out.printf(Locale.ROOT, "CLI first answer: analyze of %d VMs x %d metrics x 2 kernels (%s), whole "
                    + "process, %d runs of each, alternating%n", options.vms(), options.metrics(), runDir,
                    options.runs());
            out.println(BenchStats.machine());
            options.previous().ifPresent(dir -> out.println("previous: " + dir.resolve("pullab")));
            options.pullabCloud().ifPresent(src -> out.println("python: " + python
                    + (python.equals(options.python()) ? "" : " (what " + options.python() + " runs)")));
            Command readFloor = commands.stream().filter(c -> c.name().equals(READ_FLOOR)).findFirst()
                    .orElseThrow();
            measure(archiving(readFloor, work.resolve("floor.jsa")));
            for (Command launcher : commands) {
                if (launcher.name().startsWith("now") || launcher.name().startsWith("previous")) {
                    Sample first = measure(launcher);
                    out.printf(Locale.ROOT, "first run of %s (writes the archive into its cache): wall %s ms, cpu %s "
                            + "ms%n", launcher.name(), BenchStats.number(first.wallMillis()),
                            BenchStats.number(first.cpuMillis()));
                }
            }
            Map<Command, List<Sample>> samples = new LinkedHashMap<>();
            commands.forEach(c -> samples.put(c, new ArrayList<>()));
            for (int round = 0; round < options.runs(); round++) {
                for (int k = 0; k < commands.size(); k++) {
                    Command command = commands.get((round + k) % commands.size());
                    samples.get(command).add(measure(command));
                }
            }
            List<Row> rows = samples.entrySet().stream().map(e -> new Row(e.getKey(), List.copyOf(e.getValue())))
                    .toList();
            print(rows, out);
            if (options.classes()) {
                classes(commands, work, out);
            }
            out.println("load average after: " + BenchStats.load());
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(work);
        }
    }

    /** The rows' commands: the two floors ({@link CliReadFloor} the second), the CLIs, then Python. */
    static List<Command> commands(Options options, String python, Path runDir, Path driver,
            Map<String, String> cache, Path floorJar) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> launcherFlags = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Xshare:auto");
        List<Command> commands = new ArrayList<>();
        commands.add(new Command("floor: java -version", concat(List.of(java), launcherFlags, List.of("-version")),
                Map.of()));
        commands.add(new Command(READ_FLOOR, concat(List.of(java), launcherFlags,
                List.of("-XX:SharedArchiveFile=" + floorJar.resolveSibling("floor.jsa"), "-Xlog:all=off", "-cp",
                        floorJar.toString(), CliReadFloor.class.getName(), runDir.toString())), Map.of()));
        commands.add(new Command("before: java -jar", List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.awt.headless=true", "-Dsun.net.httpserver.nodelay=true", "-jar",
                options.beforeJar().toString(), "analyze", "--input", runDir.toString()), Map.of()));
        options.previous().ifPresent(previous -> commands.add(new Command("previous: ./pullab of --previous",
                List.of(previous.resolve("pullab").toString(), "analyze", "--input", runDir.toString()), cache)));
        commands.add(new Command("now: ./pullab", List.of(options.root().resolve("pullab").toString(), "analyze",
                "--input", runDir.toString()), cache));
        options.pullabCloud().ifPresent(src -> commands.add(new Command("pullab_cloud analyzer (python)",
                List.of(python, driver.toString(), runDir.toString()), Map.of("PYTHONPATH", src.toString()))));
        return commands;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    /** The same command, writing a class-data sharing archive of what it loads as it exits. */
    private static Command archiving(Command command, Path archive) {
        List<String> argv = new ArrayList<>(command.argv());
        argv.removeIf(a -> a.startsWith("-XX:SharedArchiveFile="));
        argv.add(1, "-XX:ArchiveClassesAtExit=" + archive);
        return new Command(command.name(), argv, command.env());
    }

    /** A jar of {@link CliReadFloor} alone (a class-data sharing archive takes classes from jars only). */
    private static void writeFloorJar(Path jar) throws IOException {
        String entry = CliReadFloor.class.getName().replace('.', '/') + ".class";
        try (InputStream in = CliStartBench.class.getClassLoader().getResourceAsStream(entry);
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            if (in == null) {
                throw new IOException(entry + " is not on the class path");
            }
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    /**
     * The interpreter that {@code python} runs: under pyenv, {@code python3} is a shell script that starts pyenv
     * before Python on every call (about 60 ms), which a pullab_cloud installation (a virtualenv, a container) does
     * not pay. Python names itself in {@code sys.executable}; when that fails, {@code python} as given.
     */
    static String python(String python) {
        try {
            Process process = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor(1, TimeUnit.MINUTES) && process.exitValue() == 0 && !printed.isEmpty()
                    && Files.isExecutable(Path.of(printed))) {
                return printed;
            }
            return python;
        } catch (IOException e) {
            return python;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return python;
        }
    }

    /** One whole-process run under /bin/sh, whose {@code times} gives the child's user and system CPU. */
    static Sample measure(Command command) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "\"$@\" >/dev/null 2>&1; s=$?; times; exit $s", "sh"));
        argv.addAll(command.argv());
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(command.env());
        try {
            long start = System.nanoTime();
            Process process = builder.start();
            String times = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.name() + ": still running after 10 minutes");
            }
            long wall = System.nanoTime() - start;
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.name() + ": exit " + process.exitValue() + " (run "
                        + String.join(" ", command.argv()) + " to see why)");
            }
            Matcher shell = TIMES.matcher(times);
            if (!shell.find() || !shell.find()) {
                throw new IllegalStateException(command.name() + ": no child times from the shell: " + times);
            }
            double cpu = seconds(shell.group(1), shell.group(2)) + seconds(shell.group(3), shell.group(4));
            return new Sample(BenchStats.millis(wall), cpu * 1000);
        } catch (IOException e) {
            throw new UncheckedIOException(command.name() + ": cannot start " + command.argv().get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(command.name() + ": interrupted", e);
        }
    }

    private static double seconds(String minutes, String seconds) {
        return Integer.parseInt(minutes) * 60 + Double.parseDouble(seconds);
    }

    static void print(List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%-36s %12s %12s %12s %12s%n", "command", "wall median", "wall p90", "cpu median",
                "cpu p90");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-36s %9s ms %9s ms %9s ms %9s ms%n", row.command().name(),
                    BenchStats.number(row.wall().median()), BenchStats.number(row.wall().p90()),
                    BenchStats.number(row.cpu().median()), BenchStats.number(row.cpu().p90()));
        }
        Optional<Row> before = named(rows, "before");
        Optional<Row> now = named(rows, "now");
        Optional<Row> previous = named(rows, "previous");
        Optional<Row> floor = named(rows, READ_FLOOR);
        Optional<Row> python = named(rows, "pullab_cloud");
        if (before.isPresent() && now.isPresent()) {
            out.println("now / before: " + ratios(now.get(), before.get()));
        }
        if (previous.isPresent() && now.isPresent()) {
            out.println("now / previous: " + ratios(now.get(), previous.get()));
        }
        if (python.isPresent()) {
            before.ifPresent(b -> out.println("before / pullab_cloud: " + ratios(b, python.get())));
            now.ifPresent(n -> out.println("now / pullab_cloud: " + ratios(n, python.get())));
            floor.ifPresent(f -> out.println("floor (read + sum) / pullab_cloud: " + ratios(f, python.get())));
        } else {
            out.println("pullab_cloud analyzer: not run (give --pullab-cloud DIR or PULLAB_CLOUD_SRC)");
        }
    }

    private static Optional<Row> named(List<Row> rows, String prefix) {
        return rows.stream().filter(r -> r.command().name().startsWith(prefix)).findFirst();
    }

    private static String ratios(Row a, Row b) {
        return String.format(Locale.ROOT, "wall median %.2fx, cpu median %.2fx", a.wall().median() / b.wall().median(),
                a.cpu().median() / b.cpu().median());
    }

    /** Classes each JVM row loads, and how many of them come from a CDS archive (-Xlog:class+load, one run). */
    private static void classes(List<Command> commands, Path work, PrintStream out) throws IOException {
        for (Command command : commands) {
            if (!command.name().startsWith("before") && !command.name().startsWith("now")
                    && !command.name().startsWith("previous")) {
                continue;
            }
            Path log = work.resolve("classes-" + command.name().replaceAll("[^a-z]", "") + ".log");
            Map<String, String> env = new LinkedHashMap<>(command.env());
            env.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + log);
            measure(new Command(command.name(), command.argv(), env));
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            long shared = lines.stream().filter(l -> l.contains("source: shared objects file")).count();
            out.printf(Locale.ROOT, "classes loaded, %s: %d (%d from a CDS archive)%n", command.name(), lines.size(),
                    shared);
        }
    }

    private static Path createWork(Path root) {
        try {
            Path target = root.resolve("bench/target");
            Files.createDirectories(target);
            return Files.createTempDirectory(target, "cli-start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // the work directory is under bench/target: left for mvn clean
        }
    }
}
