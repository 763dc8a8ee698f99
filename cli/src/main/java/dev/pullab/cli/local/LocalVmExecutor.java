package dev.pullab.cli.local;

import dev.pullab.core.launch.VmTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Boots the test VMs that the orchestrator launched in the AWS emulator, on this machine: for every instance tagged
 * {@code pullab=true} that is {@code pending} or {@code running} and was not booted yet, it runs the real VM client
 * {@code test-vm-client.sh run} in a sandbox directory {@code <root>/<instance-id>/}, as the systemd unit on a real
 * VM would at every boot (see vm-tests/README.md).
 *
 * <p>Per VM: the client is fetched from {@code s3://<bucket>/<run prefix>/test-vm-client.sh} (what the user-data
 * would fetch), its configuration is parsed from the user-data's {@code install} line, IMDSv2 is answered by a
 * {@link LocalVmImds} stub on loopback, reboots are simulated (exit 194 → a new boot id → the client runs again, at
 * most {@value #MAX_BOOTS} boots) and power-off is a marker file; when the client is done the instance is terminated
 * in the emulator. Stages run with {@code PULLAB_SIMULATE=1}, so kernel installs are only logged, and with
 * {@code PULLAB_SIMULATE_SEED} set to the VM's test and index in its run ({@link #simulationSeed}).
 *
 * <p>Each VM has a serial console ({@link LocalConsoles}): every boot appends the kernel's boot lines to it, and the
 * client's kernel log ({@code KMSG}, its heartbeat lines) is that console file.
 *
 * <p>The VMs found in one call boot concurrently, at most {@link #parallelism()} at a time, started in instance-id
 * order; while they run, a line says every {@value #WAIT_REPORT_S} s how many are done. Progress lines never overlap
 * (one at a time, whatever thread boots the VM). The client's {@code aws} is the one {@value #AWS_CLI_VARIABLE} names,
 * else under pyenv the CLI pyenv resolves, called directly rather than through pyenv's shim (which costs a bash and a
 * pyenv lookup per call), else the one on PATH. Not thread-safe:
 * call {@link #bootPending()} from one thread.
 */
public final class LocalVmExecutor {

    /** Most boots of one VM before it is given up. */
    public static final int MAX_BOOTS = 10;
    /** Exit code of the client asking for a reboot. */
    public static final int EXIT_REBOOT = 194;
    /** File name of the client in the run's prefix and in a sandbox. */
    public static final String CLIENT = "test-vm-client.sh";

    private static final Pattern INSTALL_LINE = Pattern.compile("^\\s*bash\\s+\\S*test-vm-client\\.sh\\s+install\\s");
    private static final Duration BOOT_GRACE = Duration.ofMinutes(2);
    private static final Pattern SIMULATION_SEED = Pattern.compile("[\\x21-\\x7e]{1,256}");
    private static final Pattern LAUNCH_INDEX = Pattern.compile("[0-9]{1,6}");
    /**
     * The environment variable naming the aws CLI the simulated VMs call (an absolute path), instead of the one pyenv
     * resolves or the one on PATH.
     */
    public static final String AWS_CLI_VARIABLE = "PULLAB_AWS_CLI";
    /** Seconds between the lines saying how many VMs are done while they run. */
    static final int WAIT_REPORT_S = 5;
    /** Most VMs booting at once. */
    static final int MAX_PARALLELISM = 16;

    private final Ec2Client ec2;
    private final S3Client s3;
    private final URI endpoint;
    private final String region;
    private final Map<String, String> credentials;
    private final Path root;
    private final Consumer<String> progress;
    private final LocalConsoles consoles;
    private final Predicate<String> panicsAtBoot;
    private final Set<String> handled = new HashSet<>();
    private final int parallelism;
    private final Object progressLock = new Object();
    /** The directory first on the clients' PATH, holding {@code aws} when pyenv's shim was resolved. */
    private Optional<Path> toolsDir;

    /**
     * @param ec2         EC2 client of the emulator
     * @param s3          S3 client of the emulator
     * @param endpoint    the emulator's endpoint, given to the client as {@code S3_ENDPOINT_URL}
     * @param region      the emulator's region, used when a user-data names none
     * @param credentials environment for the client's {@code aws} CLI: {@code AWS_ACCESS_KEY_ID},
     *                    {@code AWS_SECRET_ACCESS_KEY} (e.g. {@code test}/{@code test}), optionally more
     * @param sandboxRoot directory under which every VM gets {@code <instance-id>/}
     * @param progress    receives one line per boot and one per problem
     */
    public LocalVmExecutor(Ec2Client ec2, S3Client s3, URI endpoint, String region, Map<String, String> credentials,
            Path sandboxRoot, Consumer<String> progress) {
        this(ec2, s3, endpoint, region, credentials, sandboxRoot, progress, new LocalConsoles(sandboxRoot),
                test -> false, defaultParallelism());
    }

    /**
     * As {@link #LocalVmExecutor(Ec2Client, S3Client, URI, String, Map, Path, Consumer)}, with the VMs'
     * serial consoles in {@code consoles} and a fault: a VM whose test {@code panicsAtBoot} accepts gets a kernel
     * panic at its first boot ({@link LocalConsoles#panicAtBoot}) and is left running, as a panicked EC2 instance
     * stays up until someone terminates it (the sweeper's watch); at most {@code parallelism} VMs boot at once
     * (1: one after the other; see {@link #defaultParallelism()}).
     */
    public LocalVmExecutor(Ec2Client ec2, S3Client s3, URI endpoint, String region, Map<String, String> credentials,
            Path sandboxRoot, Consumer<String> progress, LocalConsoles consoles, Predicate<String> panicsAtBoot,
            int parallelism) {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("VMs booting at once must be 1 to " + MAX_PARALLELISM + ", got "
                    + parallelism);
        }
        this.parallelism = parallelism;
        this.consoles = Objects.requireNonNull(consoles, "consoles");
        this.panicsAtBoot = Objects.requireNonNull(panicsAtBoot, "panicsAtBoot");
        this.ec2 = Objects.requireNonNull(ec2, "ec2");
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Map.copyOf(credentials);
        // absolute: the client runs with its sandbox as working directory
        this.root = Objects.requireNonNull(sandboxRoot, "sandboxRoot").toAbsolutePath();
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * How many VMs boot at once by default: twice this machine's processors (a simulated VM mostly waits on the
     * emulator and its aws CLI), at most 4.
     */
    public static int defaultParallelism() {
        return Math.max(1, Math.min(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    /** Most VMs booting at once. */
    public int parallelism() {
        return parallelism;
    }

    /**
     * Boots every pending VM until it powers off (or fails), then terminates it in the emulator; a VM whose kernel
     * panicked (the fault) is left running. The VMs boot concurrently ({@link #parallelism()}); this returns when all
     * of them are done.
     *
     * @return the ids of the instances booted by this call (also those that failed), in instance-id order (the order
     *         they were started in); empty when there was nothing new
     */
    public List<String> bootPending() {
        List<Instance> fresh = pendingInstances().stream().filter(i -> handled.add(i.instanceId())).toList();
        if (fresh.isEmpty()) {
            return List.of();
        }
        List<String> booted = fresh.stream().map(Instance::instanceId).toList();
        if (toolsDir == null) {
            toolsDir = resolveTools();
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, fresh.size()), task -> {
            Thread thread = new Thread(task, "pullab-local-vm");
            thread.setDaemon(true);
            return thread;
        });
        long started = System.nanoTime();
        say("booting " + fresh.size() + " VM(s), at most " + Math.min(parallelism, fresh.size()) + " at once");
        try {
            for (Instance instance : fresh) {
                pool.execute(() -> {
                    running.incrementAndGet();
                    try {
                        bootThenTerminate(instance);
                    } finally {
                        running.decrementAndGet();
                        done.incrementAndGet();
                    }
                });
            }
            pool.shutdown();
            while (!pool.awaitTermination(WAIT_REPORT_S, TimeUnit.SECONDS)) {
                say("waiting for VMs: " + done.get() + "/" + fresh.size() + " done, " + running.get() + " running, "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        return booted;
    }

    private void bootThenTerminate(Instance instance) {
        String id = instance.instanceId();
        boolean poweredOff = true;
        try {
            poweredOff = boot(instance);
        } catch (RuntimeException e) {
            say("VM " + id + ": cannot boot: " + e.getMessage());
        } finally {
            if (poweredOff) {
                terminate(id);
            }
        }
    }

    /** One progress line at a time, whatever thread says it. */
    private void say(String line) {
        synchronized (progressLock) {
            progress.accept(line);
        }
    }

    /**
     * Under pyenv (a {@code shims/aws} in its root), a directory {@code <root>/bin} with {@code aws} linked to the CLI
     * pyenv resolves, so the clients call it directly; empty without pyenv or when pyenv does not resolve it (the
     * clients then use the PATH as it is).
     */
    private Optional<Path> resolveTools() {
        Optional<String> chosen = Optional.ofNullable(System.getenv(AWS_CLI_VARIABLE)).filter(v -> !v.isBlank());
        if (chosen.isPresent()) {
            Path aws = Path.of(chosen.get());
            if (aws.isAbsolute() && Files.isRegularFile(aws) && Files.isExecutable(aws)) {
                return linkAws(aws);
            }
            say(AWS_CLI_VARIABLE + " must be the absolute path of an executable aws CLI, got '" + chosen.get()
                    + "': ignored");
        }
        Path pyenv = pyenvRoot();
        if (!Files.isExecutable(pyenv.resolve("shims").resolve("aws"))
                || !Files.isExecutable(pyenv.resolve("libexec").resolve("pyenv"))) {
            return Optional.empty();
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(pyenv.resolve("libexec").resolve("pyenv").toString(),
                    "which", "aws").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("PYENV_ROOT", pyenv.toString());
            Process process = builder.start();
            byte[] out = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            Path aws = Path.of(new String(out, StandardCharsets.UTF_8).strip());
            if (!aws.isAbsolute() || !Files.isExecutable(aws)) {
                return Optional.empty();
            }
            return linkAws(aws);
        } catch (IOException | RuntimeException e) {
            say("the aws CLI is called through pyenv's shim (cannot resolve it: " + e.getMessage() + ")");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code <root>/bin} holding {@code aws}, a link to {@code aws}; empty (and said) when it cannot be made. */
    private Optional<Path> linkAws(Path aws) {
        Path bin = root.resolve("bin");
        try {
            Files.createDirectories(bin);
            Files.deleteIfExists(bin.resolve("aws"));
            Files.createSymbolicLink(bin.resolve("aws"), aws);
            return Optional.of(bin);
        } catch (IOException | UnsupportedOperationException e) {
            say("the aws CLI is called as found on PATH (cannot link " + aws + " into " + bin + ": " + e + ")");
            return Optional.empty();
        }
    }

    private static Path pyenvRoot() {
        String realHome = Optional.ofNullable(System.getenv("HOME")).orElse(System.getProperty("user.home"));
        return Path.of(Optional.ofNullable(System.getenv("PYENV_ROOT")).orElse(realHome + "/.pyenv"));
    }

    private List<Instance> pendingInstances() {
        return ec2.describeInstancesPaginator(b -> b.filters(
                        Filter.builder().name("tag:" + VmTags.LAB).values("true").build(),
                        Filter.builder().name("instance-state-name").values("pending", "running").build()))
                .reservations().stream()
                .flatMap(r -> r.instances().stream())
                .sorted((a, b) -> a.instanceId().compareTo(b.instanceId()))
                .toList();
    }

    /** Runs the VM's boots; false when its kernel panicked and it stays up. */
    private boolean boot(Instance instance) {
        String id = instance.instanceId();
        VmConfig config = parseUserData(userData(id))
                .orElseThrow(() -> new IllegalStateException("its user-data has no test-vm-client.sh install line"));
        String test = tag(instance, VmTags.TEST).orElse(config.test());
        String architecture = architecture(instance);
        if (panicsAtBoot.test(test)) {
            consoles.panicAtBoot(id, instance.instanceTypeAsString());
            say("VM " + id + " (test " + test + "): kernel panic at boot (fault): "
                    + LocalConsoles.ROOT_FS_PANIC + "; left running for the sweeper");
            return false;
        }
        Path sandbox = root.resolve(id);
        Path client = sandbox.resolve(CLIENT);
        Path home = sandbox.resolve("home");
        try {
            Files.createDirectories(home);
            Files.write(client, s3.getObjectAsBytes(b -> b.bucket(config.bucket())
                    .key(config.runPrefix() + "/" + CLIENT)).asByteArray());
            Files.writeString(sandbox.resolve("client.env"), clientEnv(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the sandbox " + sandbox, e);
        }
        String vmRegion = config.region().isEmpty() ? region : config.region();
        try (LocalVmImds imds = LocalVmImds.start(id, instance.instanceTypeAsString(), vmRegion,
                architecture)) {
            for (int boot = 1; boot <= MAX_BOOTS; boot++) {
                consoles.boot(id, boot, architecture, instance.instanceTypeAsString());
                Map<String, String> env = environment(sandbox, imds.endpoint(), vmRegion);
                env.put("KMSG", consoles.file(id).toString()); // the client's kernel log lines go to the console
                simulationSeed(instance).ifPresent(seed -> env.put("PULLAB_SIMULATE_SEED", seed));
                int exit = runClient(sandbox, boot, env, config);
                say("VM " + id + " (test " + test + "): boot " + boot + " → exit " + exit);
                if (exit != EXIT_REBOOT) {
                    if (exit != 0) {
                        say("VM " + id + " (test " + test + "): the client failed with exit " + exit
                                + ", see " + sandbox.resolve("boot-" + boot + ".log"));
                    }
                    return true;
                }
            }
            say("VM " + id + " (test " + test + "): still asking for a reboot after " + MAX_BOOTS
                    + " boots; giving up");
        }
        return true;
    }

    private int runClient(Path sandbox, int boot, Map<String, String> env, VmConfig config) {
        Path log = sandbox.resolve("boot-" + boot + ".log");
        try {
            Files.writeString(sandbox.resolve("boot_id"), "boot-" + boot + "\n", StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder("bash", sandbox.resolve(CLIENT).toString(), "run")
                    .directory(sandbox.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            long limit = Duration.ofSeconds(config.maxRuntimeS()).plus(BOOT_GRACE).toMillis();
            if (!process.waitFor(limit, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                Files.writeString(log, "\n[pullab local-run] killed after " + limit / 1000 + " s\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the client in " + sandbox, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while booting " + sandbox.getFileName(), e);
        }
    }

    private Map<String, String> environment(Path sandbox, URI imds, String vmRegion) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String inherited : List.of("LANG", "LC_ALL", "TMPDIR", "PYENV_VERSION")) {
            Optional.ofNullable(System.getenv(inherited)).ifPresent(v -> env.put(inherited, v));
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        Path pyenv = pyenvRoot();
        if (Files.isDirectory(pyenv.resolve("shims"))) {
            path = pyenv.resolve("shims") + ":" + path;
            env.put("PYENV_ROOT", pyenv.toString()); // HOME changes below: pyenv must still find itself
        }
        if (toolsDir != null && toolsDir.isPresent()) {
            path = toolsDir.get() + ":" + path;
        }
        env.put("PATH", path);
        env.put("HOME", sandbox.resolve("home").toString());
        env.put("PULLAB_CLIENT_CONFIG", sandbox.resolve("client.env").toString());
        env.put("BOOT_ID_FILE", sandbox.resolve("boot_id").toString());
        env.put("REBOOT_CMD", "touch " + shellQuote(sandbox.resolve("rebooted").toString()));
        env.put("POWEROFF_CMD", "touch " + shellQuote(sandbox.resolve("powered-off").toString()));
        env.put("SAFETY_TIMER", "none");
        env.put("PULLAB_SIMULATE", "1");
        env.put("IMDS_ENDPOINT", imds.toString());
        env.put("AWS_REGION", vmRegion);
        env.put("S3_ATTEMPTS", "3");
        env.put("S3_BACKOFF_MAX", "1");
        env.putAll(credentials);
        return env;
    }

    private String clientEnv(VmConfig config) {
        return "# written by pullab local-run for a simulated VM\n"
                + "RESULTS_BUCKET=" + shellQuote(config.bucket()) + "\n"
                + "RUN_PREFIX=" + shellQuote(config.runPrefix()) + "\n"
                + "TEST_NAME=" + shellQuote(config.test()) + "\n"
                + (config.region().isEmpty() ? "" : "AWS_REGION=" + shellQuote(config.region()) + "\n")
                + "S3_ENDPOINT_URL=" + shellQuote(endpoint.toString()) + "\n"
                + "MAX_RUNTIME=" + config.maxRuntimeS() + "\n"
                + "STAGE_TIMEOUT=" + config.stageTimeoutS() + "\n"
                // stages run as whoever runs pullab, never as an ec2-user this machine may have
                + "RUN_AS=\"$(id -un)\"\n";
    }

    private String userData(String instanceId) {
        String encoded = ec2.describeInstanceAttribute(b -> b.instanceId(instanceId)
                .attribute(InstanceAttributeName.USER_DATA)).userData().value();
        if (encoded == null || encoded.isEmpty()) {
            return "";
        }
        return new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private void terminate(String instanceId) {
        try {
            ec2.terminateInstances(b -> b.instanceIds(instanceId));
        } catch (SdkException e) {
            say("VM " + instanceId + ": cannot terminate it in the emulator: " + e.getMessage());
        }
    }

    /**
     * What seeds the VM's simulated variation (e.g. UnixBench's spread): {@code <test>#<index>}, its test and its
     * index in the run (the end of its launch id {@code <run prefix>#<index>}). Both are the same in every run of the
     * same plan, so a rerun measures the same numbers; the instance id is not (the emulator draws a new one per
     * launch), nor is the run prefix (a config run's holds the time it was planned). Empty without both tags, or when
     * the seed would not be what the client accepts (printable ASCII, at most 256 characters): the stage then seeds by
     * the instance id.
     */
    static Optional<String> simulationSeed(Instance instance) {
        Optional<String> index = tag(instance, VmTags.LAUNCH).map(id -> id.substring(id.lastIndexOf('#') + 1))
                .filter(LAUNCH_INDEX.asMatchPredicate());
        return tag(instance, VmTags.TEST).flatMap(test -> index.map(i -> test + "#" + i))
                .filter(SIMULATION_SEED.asMatchPredicate());
    }

    private static Optional<String> tag(Instance instance, String key) {
        return instance.tags().stream().filter(t -> key.equals(t.key())).map(t -> t.value()).findFirst();
    }

    /**
     * {@code arm64} for Graviton instance types ({@code a1}, and families whose letters after the generation
     * digit hold a {@code g}: {@code m7g}, {@code t4g}, {@code c7gn}, {@code r6gd}, {@code im4gn}, …) or an arm64
     * AMI; {@code x86_64} otherwise.
     */
    static String architecture(Instance instance) {
        if ("arm64".equalsIgnoreCase(instance.architectureAsString())) {
            return "arm64";
        }
        return architecture(instance.instanceTypeAsString());
    }

    /** The architecture of an instance type alone, see {@link #architecture(Instance)}. */
    static String architecture(String instanceType) {
        String family = instanceType == null ? "" : instanceType.toLowerCase(Locale.ROOT).split("\\.", 2)[0];
        if (family.equals("a1") || family.matches("[a-z]+\\d+[a-z]*g[a-z]*")) {
            return "arm64";
        }
        return "x86_64";
    }

    /**
     * The client configuration in the {@code install} line of a user-data written by the orchestrator's
     * {@code UserData.script}; empty when there is no such line or it lacks bucket, run prefix or test.
     */
    static Optional<VmConfig> parseUserData(String userData) {
        for (String line : userData.split("\n")) {
            if (!INSTALL_LINE.matcher(line).find()) {
                continue;
            }
            List<String> words = shellWords(line);
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = words.indexOf("install") + 1; i < words.size(); i++) {
                String word = words.get(i);
                if (word.startsWith("--") && i + 1 < words.size() && !word.equals("--simulate")) {
                    options.put(word.substring(2), words.get(++i));
                }
            }
            String bucket = options.getOrDefault("bucket", "");
            String prefix = options.getOrDefault("run-prefix", "");
            String test = options.getOrDefault("test", "");
            if (bucket.isEmpty() || prefix.isEmpty() || test.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new VmConfig(bucket, prefix, test, options.getOrDefault("region", ""),
                    positive(options.get("max-runtime"), 14400), positive(options.get("stage-timeout"), 3600)));
        }
        return Optional.empty();
    }

    private static int positive(String value, int otherwise) {
        try {
            int n = value == null ? otherwise : Integer.parseInt(value);
            return n > 0 ? n : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Splits a line into words as bash would for plain words, {@code '…'} and {@code "…"} (no expansions). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                end = end < 0 ? line.length() : end;
                word.append(line, i + 1, end);
                i = end;
            } else if (c == '"') {
                for (i++; i < line.length() && line.charAt(i) != '"'; i++) {
                    if (line.charAt(i) == '\\' && i + 1 < line.length()) {
                        i++;
                    }
                    word.append(line.charAt(i));
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** Single-quoted for bash. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /**
     * What the user-data's {@code install} line configures.
     *
     * @param bucket        results bucket
     * @param runPrefix     the run
     * @param test          the vm-tests test
     * @param region        AWS region, empty when not given
     * @param maxRuntimeS   the VM's safety timer
     * @param stageTimeoutS per-stage timeout
     */
    record VmConfig(String bucket, String runPrefix, String test, String region, int maxRuntimeS,
            int stageTimeoutS) {
    }
}
