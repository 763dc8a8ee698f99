package dev.pullab.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.pullab.bench.ColdStartScenarios.AnalyzerWorld;
import dev.pullab.bench.ColdStartScenarios.Invocation;
import dev.pullab.bench.ColdStartScenarios.OrchestratorWorld;
import dev.pullab.bench.ColdStartScenarios.Scenario;
import dev.pullab.bench.ColdStartScenarios.Secrets;
import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Cold start of every function jar, compared in the same run with a hello-world handler: for each, N fresh JVMs
 * started with the flags of Lambda's Java runtime, each running {@link ColdStartProbe} on the shaded jar alone, which
 * builds the handler (init) and invokes it once with a representative event against moto_server and the KernelCI and
 * KCIDB doubles (first invoke). Prints per function the deployment package's size and the min and median of JVM
 * start → first return, with init and first invoke apart, and the median as a ratio to the hello world's (wall and
 * CPU) under the same flags.
 *
 * <pre>bench/run cold-start [--runs 10] [--only poller,analyzer] [--prime] [--jvm-flag -X…]</pre>
 */
public final class ColdStartBench {

    /**
     * The flags of Lambda's java17/java21 runtime at 1024 MB (the stack's memory size), as its bootstrap starts the
     * JVM: heap 85 % of the memory, serial GC, class data sharing, C1 only. Lambda uses {@code -Xshare:on} with its
     * own archive; here the JDK's default archive ({@code -Xshare:auto}). Left out: the runtime's own javaagent
     * (Log4jHotPatch) and JNI client.
     */
    static final List<String> LAMBDA_JVM_FLAGS = List.of("-XX:MaxHeapSize=891289k", "-XX:+UseSerialGC",
            "-Xshare:auto", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true", "-XX:+ErrorFileToStderr");
    static final List<String> FUNCTIONS = List.of("hello-world", "poller", "orchestrator-jobs", "orchestrator-trigger",
            "analyzer", "sweeper");
    private static final String PROBE_LINE = "cold-start-probe: ";

    private ColdStartBench() {
    }

    /** What to run. */
    record Options(int runs, Set<String> only, boolean prime, boolean twice, List<String> jvmFlags, Path root,
            List<Path> baselines) {
        static Options parse(String... args) {
            int runs = 10;
            Set<String> only = new LinkedHashSet<>(FUNCTIONS);
            boolean prime = false;
            boolean twice = false;
            List<String> flags = new ArrayList<>();
            Path root = null;
            List<Path> baselines = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--runs" -> runs = Integer.parseInt(value(args, ++i, "--runs"));
                    case "--only" -> {
                        only = new LinkedHashSet<>(Arrays.asList(value(args, ++i, "--only").split(",")));
                        for (String name : only) {
                            if (!FUNCTIONS.contains(name)) {
                                throw new IllegalArgumentException("--only: unknown function '" + name + "' (one of "
                                        + String.join(", ", FUNCTIONS) + ")");
                            }
                        }
                    }
                    case "--prime" -> prime = true;
                    case "--twice" -> twice = true;
                    case "--jvm-flag" -> flags.add(value(args, ++i, "--jvm-flag"));
                    case "--root" -> root = Path.of(value(args, ++i, "--root"));
                    case "--baseline" -> baselines.add(Path.of(value(args, ++i, "--baseline")));
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (see --help)");
                }
            }
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1");
            }
            return new Options(runs, only, prime, twice, List.copyOf(flags), root == null ? findRoot() : root,
                    List.copyOf(baselines));
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    /** One cold start: wall-clock JVM start → first return, split into init (→ handler built) and first invoke. */
    record Sample(double totalMs, double initMs, double primeMs, double invokeMs, double cpuMs, double secondMs) {
    }

    /** A function's figures. */
    record Row(String name, String handler, Path jar, long jarBytes, List<Sample> samples) {
        double jarMiB() {
            return jarBytes / (1024.0 * 1024.0);
        }

        double minTotal() {
            return samples.stream().mapToDouble(Sample::totalMs).min().orElse(Double.NaN);
        }

        double medianTotal() {
            return median(samples.stream().mapToDouble(Sample::totalMs).toArray());
        }

        double medianInit() {
            return median(samples.stream().mapToDouble(Sample::initMs).toArray());
        }

        double medianPrime() {
            return median(samples.stream().mapToDouble(Sample::primeMs).toArray());
        }

        double medianInvoke() {
            return median(samples.stream().mapToDouble(Sample::invokeMs).toArray());
        }

        double medianSecond() {
            return median(samples.stream().mapToDouble(Sample::secondMs).filter(v -> !Double.isNaN(v)).toArray());
        }

        double medianCpu() {
            return median(samples.stream().mapToDouble(Sample::cpuMs).toArray());
        }

        double minInvoke() {
            return samples.stream().mapToDouble(Sample::invokeMs).min().orElse(Double.NaN);
        }
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(help());
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("cold-start: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(options, System.out);
        } catch (RuntimeException e) {
            System.err.println("cold-start: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static String help() {
        return """
                Usage: bench/run cold-start [--runs N] [--only NAMES] [--prime] [--twice] [--jvm-flag FLAG]...
                                            [--root DIR]
                                            [--baseline DIR]...

                Cold start of each function jar vs a hello-world handler jar: per function N fresh JVMs with the flags
                of Lambda's Java runtime (1024 MB), classpath = the shaded jar + the probe class only, environment as
                PullabStack sets it but pointing at moto_server and the KernelCI/KCIDB doubles. Each JVM builds the
                handler (init) and invokes it once with a representative event (first invoke). Runs are interleaved
                across functions, so load changes hit every row alike.

                  --runs N        cold starts per function (default 10)
                  --only NAMES    comma-separated subset of: %s
                  --prime         call org.crac beforeCheckpoint/afterRestore of the registered resources between
                                  init and the first invoke (what SnapStart runs before its snapshot), timed apart;
                                  on a CRaC JDK (elsewhere org.crac registers nothing: prime = 0); the
                                  hooks themselves are unit-tested (SnapStartHooksTest)
                  --twice         invoke a second time in the same JVM, with a fresh event (not the poller, whose
                                  runs each have their own tables): the warm time a perfectly primed first invoke
                                  would approach
                  --jvm-flag F    an extra flag for the probe JVMs (repeatable), e.g. --jvm-flag -Xlog:class+load
                  --root DIR      the reactor root (default: found from the working directory)
                  --baseline DIR  also run every function from the jars under DIR (DIR/<module>/target/<module>.jar,
                                  e.g. copies of the jars before a change), interleaved with the current ones, so a
                                  before/after comparison sees the same machine load; repeatable
                  -h, --help      this text

                Needs the function jars (mvn -B -q package -DskipTests; bench/run builds them) and moto_server.
                JVM flags: %s
                """.formatted(String.join(", ", FUNCTIONS), String.join(" ", LAMBDA_JVM_FLAGS));
    }

    /** Runs the probes and prints the table; returns the rows (for tests). */
    static List<Row> run(Options options, PrintStream out) {
        Path work = options.root().resolve("bench/target/cold-start");
        Path probeDir = extractProbe(work.resolve("probe"));
        Path helloJar = helloJar(work.resolve("hello-world.jar"));
        String loadBefore = loadAverage();
        AwsEmulator aws = AwsEmulator.get();
        int firstNode = ThreadLocalRandom.current().nextInt(1 << 20, 1 << 28);
        List<Scenario> scenarios = new ArrayList<>();
        List<Scenario> owned = scenarios;
        try (Secrets secrets = new Secrets(aws);
             OrchestratorWorld world = options.only().stream().anyMatch(n -> n.startsWith("orchestrator"))
                     ? new OrchestratorWorld(aws, secrets) : null;
             AnalyzerWorld analysis = options.only().contains("analyzer") || options.only().contains("sweeper")
                     ? new AnalyzerWorld(aws, secrets) : null) {
            for (String name : options.only()) {
                scenarios.add(switch (name) {
                    case "hello-world" -> ColdStartScenarios.helloWorld(aws, helloJar);
                    case "poller" -> ColdStartScenarios.poller(aws, options.root(), secrets);
                    case "orchestrator-jobs" -> ColdStartScenarios.orchestratorJobs(options.root(), world, firstNode);
                    case "orchestrator-trigger" -> ColdStartScenarios.orchestratorTrigger(options.root(), world);
                    case "analyzer" -> ColdStartScenarios.analyzer(options.root(), analysis, firstNode + 100_000);
                    case "sweeper" -> ColdStartScenarios.sweeper(options.root(), analysis);
                    default -> throw new IllegalArgumentException(name);
                });
            }
            if (!options.baselines().isEmpty()) {
                List<Scenario> withBaseline = new ArrayList<>();
                for (Scenario s : scenarios) {
                    if (!s.name().equals("hello-world")) {
                        for (int b = 0; b < options.baselines().size(); b++) {
                            withBaseline.add(baseline(s, options.baselines().get(b), 50_000 * (b + 1)));
                        }
                    }
                    withBaseline.add(s);
                }
                scenarios = withBaseline;
            }
            for (Scenario s : scenarios) {
                if (!Files.isRegularFile(s.jar())) {
                    throw new IllegalStateException(s.jar() + " is missing: build the jars first (mvn -B -q package "
                            + "-DskipTests)");
                }
            }
            Map<Scenario, List<Sample>> samples = new LinkedHashMap<>();
            scenarios.forEach(s -> samples.put(s, new ArrayList<>()));
            for (int run = 0; run < options.runs(); run++) {
                for (Scenario s : scenarios) {
                    samples.get(s).add(probe(s, run, probeDir, options));
                }
            }
            List<Row> rows = new ArrayList<>();
            for (Scenario s : scenarios) {
                rows.add(new Row(s.name(), s.handler(), s.jar(), packageSize(s.jar()), List.copyOf(samples.get(s))));
            }
            print(out, rows, options, loadBefore, loadAverage());
            return rows;
        } finally {
            owned.forEach(Scenario::close);
        }
    }

    /** The same function and events, from the baseline's jar (fresh fixtures: its own range of run numbers). */
    private static Scenario baseline(Scenario current, Path baselineRoot, int runOffset) {
        Path jar = baselineRoot.resolve(current.jar().getParent().getParent().getFileName())
                .resolve("target").resolve(current.jar().getFileName());
        return new Scenario() {
            @Override
            public String name() {
                return current.name() + " [" + baselineRoot.getFileName() + "]";
            }

            @Override
            public String handler() {
                return current.handler();
            }

            @Override
            public Path jar() {
                return jar;
            }

            @Override
            public Invocation next(int run) {
                return current.next(run + runOffset);
            }

            @Override
            public void verify(Invocation invocation, String result) {
                current.verify(invocation, result);
            }

            @Override
            public boolean repeatable() {
                return current.repeatable();
            }
        };
    }

    private static Sample probe(Scenario scenario, int run, Path probeDir, Options options) {
        Invocation invocation = scenario.next(run);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LAMBDA_JVM_FLAGS);
        command.addAll(options.jvmFlags());
        command.addAll(List.of("-cp", scenario.jar() + java.io.File.pathSeparator + probeDir,
                ColdStartProbe.class.getName()));
        if (options.prime()) {
            command.add("--prime");
        }
        command.add(scenario.handler());
        command.addAll(invocation.event());
        Invocation second = null;
        if (options.twice() && scenario.repeatable()) {
            second = scenario.next(run + 25_000);
            command.add("--then");
            command.addAll(second.event());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        String path = env.get("PATH");
        env.clear(); // Lambda's environment: its own variables and the function's, nothing of this shell
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        env.put("LANG", "en_US.UTF-8");
        env.putAll(invocation.env());
        String output;
        long startEpochMs;
        int exit;
        try {
            startEpochMs = System.currentTimeMillis();
            Process process = builder.start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            exit = process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the probe JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String line = output.lines().filter(l -> l.startsWith(PROBE_LINE)).findFirst().orElse(null);
        if (exit != 0 || line == null) {
            throw new IllegalStateException(scenario.name() + ": probe failed (exit " + exit + "):\n" + output);
        }
        String result = line.substring(line.indexOf(" result=") + " result=".length());
        try {
            scenario.verify(invocation, result);
            if (second != null) {
                String line2 = output.lines().filter(l -> l.startsWith("cold-start-probe-2: result=")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no second invocation"));
                scenario.verify(second, line2.substring("cold-start-probe-2: result=".length()));
            }
        } catch (IllegalStateException e) {
            throw new IllegalStateException(scenario.name() + ": " + e.getMessage() + "\nprobe output:\n" + output, e);
        }
        long mainEpochMs = Long.parseLong(field(line, "main-epoch-ms"));
        double toMain = mainEpochMs - startEpochMs;
        double init = toMain + Long.parseLong(field(line, "init-ns")) / 1e6;
        String primeField = line.contains(" prime-ns=") ? field(line, "prime-ns") : "-1";
        double prime = Long.parseLong(primeField) < 0 ? 0 : Long.parseLong(primeField) / 1e6;
        double invoke = Long.parseLong(field(line, "invoke-ns")) / 1e6;
        double cpu = Long.parseLong(field(line, "cpu-ms"));
        double invoke2 = line.contains(" invoke2-ns=") ? Long.parseLong(field(line, "invoke2-ns")) / 1e6 : Double.NaN;
        return new Sample(init + prime + invoke, init, prime, invoke, cpu, invoke2);
    }

    private static String field(String line, String name) {
        int start = line.indexOf(name + "=") + name.length() + 1;
        int end = line.indexOf(' ', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    private static void print(PrintStream out, List<Row> rows, Options options, String loadBefore,
            String loadAfter) {
        out.printf(Locale.ROOT, "cold start, JVM start → first handler return (%s, java %s, %d CPUs, load average "
                        + "%s before, %s after)%n", Instant.now(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter);
        out.println("JVM flags: " + String.join(" ", LAMBDA_JVM_FLAGS)
                + (options.jvmFlags().isEmpty() ? "" : " " + String.join(" ", options.jvmFlags())));
        out.printf(Locale.ROOT, "%d runs per function, interleaved; min/median = JVM start → first return (wall), "
                + "init = JVM start → handler built, invk = first handleRequest%s, cpu = CPU time of the JVM (all "
                + "threads) at first return; ms%n", options.runs(), options.prime() ? " after priming (prime = "
                + "beforeCheckpoint+afterRestore)" : "");
        Optional<Row> hello = rows.stream().filter(r -> r.name().equals("hello-world")).findFirst();
        String header = String.format(Locale.ROOT, "%-40s %8s %9s %9s %9s %9s %9s %9s %7s %7s%s", "function",
                "pkg MiB", "min", "median", "init med", "invk med", "invk min", "cpu med", "x hello", "cpu x",
                (options.prime() ? "  prime med" : "") + (options.twice() ? "  invk2 med" : ""));
        out.println(header);
        out.println("-".repeat(header.length()));
        for (Row row : rows) {
            double ratio = hello.map(h -> row.medianTotal() / h.medianTotal()).orElse(Double.NaN);
            double cpuRatio = hello.map(h -> row.medianCpu() / h.medianCpu()).orElse(Double.NaN);
            out.printf(Locale.ROOT, "%-40s %8.2f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %7.1f %7.1f%s%n", row.name(),
                    row.jarMiB(), row.minTotal(), row.medianTotal(), row.medianInit(), row.medianInvoke(),
                    row.minInvoke(), row.medianCpu(), ratio, cpuRatio,
                    (options.prime() ? String.format(Locale.ROOT, "  %9.0f", row.medianPrime()) : "")
                    + (options.twice() ? String.format(Locale.ROOT, "  %9.1f", row.medianSecond()) : ""));
        }
        out.println("per run (total ms):");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "  %-34s %s%n", row.name(), row.samples().stream()
                    .map(s -> String.format(Locale.ROOT, "%.0f", s.totalMs())).toList());
        }
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return String.format(Locale.ROOT, "%.2f", load);
        }
    }

    /**
     * What Lambda is given for a jar: its deployment package beside it ({@code <module>.zip}, the jar under
     * {@code lib/}) when the build made one, else the jar itself (older builds uploaded the shaded jar).
     */
    static long packageSize(Path jar) {
        String name = jar.getFileName().toString();
        Path zip = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".zip");
        return size(Files.isRegularFile(zip) ? zip : jar);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reactor root: the working directory or its parent (mvn runs the bench's tests in {@code bench/}). */
    static Path findRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path candidate : List.of(cwd, cwd.getParent())) {
            if (candidate != null && Files.isDirectory(candidate.resolve("poller-function"))
                    && Files.isDirectory(candidate.resolve("bench"))) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("cannot find the reactor root from " + cwd + ": pass --root");
    }

    /** The probe's classes alone in a directory, so nothing else of the bench is on the probe JVM's classpath. */
    static Path extractProbe(Path dir) {
        try {
            Path code = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String packagePath = ColdStartProbe.class.getPackageName().replace('.', '/');
            Path target = Files.createDirectories(dir.resolve(packagePath));
            String simple = ColdStartProbe.class.getSimpleName();
            if (Files.isDirectory(code)) {
                try (Stream<Path> files = Files.list(code.resolve(packagePath))) {
                    for (Path f : files.filter(f -> isProbeClass(f.getFileName().toString(), simple)).toList()) {
                        Files.copy(f, target.resolve(f.getFileName()),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                try (JarFile jar = new JarFile(code.toFile())) {
                    for (JarEntry e : jar.stream().toList()) {
                        String name = e.getName();
                        if (name.startsWith(packagePath + "/") && isProbeClass(name.substring(packagePath.length()
                                + 1), simple)) {
                            try (InputStream in = jar.getInputStream(e)) {
                                Files.copy(in, target.resolve(name.substring(packagePath.length() + 1)),
                                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the probe to " + dir, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isProbeClass(String fileName, String simple) {
        return fileName.equals(simple + ".class") || fileName.startsWith(simple + "$") && fileName.endsWith(".class");
    }

    /**
     * A hello-world deployment package: {@link ColdStartHelloHandler} plus {@code aws-lambda-java-core}, in one jar,
     * as a shaded hello-world function would be.
     */
    static Path helloJar(Path jarFile) {
        try {
            Files.createDirectories(jarFile.getParent());
            Path core = Path.of(RequestHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String handler = ColdStartHelloHandler.class.getName().replace('.', '/') + ".class";
            try (OutputStream file = Files.newOutputStream(jarFile);
                 JarOutputStream out = new JarOutputStream(file);
                 JarFile coreJar = new JarFile(core.toFile());
                 InputStream handlerBytes = ColdStartHelloHandler.class.getResourceAsStream("/" + handler)) {
                out.putNextEntry(new JarEntry(handler));
                handlerBytes.transferTo(out);
                out.closeEntry();
                for (JarEntry e : coreJar.stream().toList()) {
                    if (e.isDirectory() || e.getName().equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream in = coreJar.getInputStream(e)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            return jarFile;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build " + jarFile, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
