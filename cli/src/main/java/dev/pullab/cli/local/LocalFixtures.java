package dev.pullab.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pullab.core.job.LabConfig;
import dev.pullab.testkit.VmFixtures;
import dev.pullab.testkit.KernelCiApiDouble;
import dev.pullab.testkit.KernelCiFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The KernelCI side of {@code pullab local-run}, offline: small fake build artifacts, the three PULL_LABS job
 * definitions rewritten to point at them, both served over HTTP on loopback, and the job nodes to publish in a
 * {@link KernelCiApiDouble}.
 *
 * <p>{@link #start(Path)} builds in {@code workDir} (with the machine's {@code tar} and {@code xz}):
 * <ul>
 *   <li>{@code artifacts/bzImage}, {@code artifacts/Image}: "kernel images" (text plus zeros);</li>
 *   <li>{@code artifacts/modules.tar.xz}: {@code ./lib/modules/}{@value #KERNEL_VERSION}{@code /kernel/...}, as a
 *       kbuild makes it (kernelci-* stage 1 reads the kernel version from it);</li>
 *   <li>{@code artifacts/full.rootfs.tar.xz}: a rootfs whose {@code opt/ltp} holds a {@code runltp} stand-in (honours
 *       {@code -f}, {@code -S}, {@code -l}, {@code -p}; writes the results log runltp writes), the {@code smoketest}
 *       command file, {@code skipfile-lkft.yaml} and the stub's outcome table;</li>
 *   <li>{@code artifacts/kselftest.tar.xz}: a {@code run_kselftest.sh} stand-in printing TAP for {@code -c arm64}
 *       (and {@code -c timers});</li>
 *   <li>{@code artifacts/rootfs.cpio.gz}, {@code artifacts/exynos850-e850-96.dtb}: the ramdisk and DTB the
 *       definitions name (no test reads them);</li>
 *   <li>{@code jobs/<name>.json}: the definitions, every {@code artifacts} URL rewritten to
 *       {@code http://127.0.0.1:<port>/artifacts/<file name>}.</li>
 * </ul>
 * and serves {@code workDir} read-only at {@link #baseUri()}. The vm-tests stubs are those of
 * {@code vm-tests/test/fixtures/kernelci/}, embedded so that the CLI jar is self-contained.
 */
public final class LocalFixtures implements AutoCloseable {

    /** The kernel version of the fake modules tarball ({@code lib/modules/<version>/}). */
    public static final String KERNEL_VERSION = "6.15.0-rc7-pullab";
    /** The job definitions published, classpath {@code /job/<name>.json} (the testkit's fixtures), in publish order. */
    public static final List<String> DEFINITION_NAMES = List.of(
            "pull_labs_jobdef_baseline_qemu_x86_64",
            "pull_labs_jobdef_ltp_smoke_qemu_arm64",
            "pull_labs_jobdef_kselftest_arm64_dtb");
    /** Naive UTC timestamp of the first {@code available} event {@link #publish} adds; one second apart. */
    public static final String FIRST_EVENT_TIMESTAMP = "2026-05-20T10:00:01.000000";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter NAIVE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final Pattern NODE_ID = Pattern.compile("[0-9a-f]{24}");
    private static final String ARTIFACTS = "artifacts";
    private static final String JOBS = "jobs";
    private static final long TAR_TIMEOUT_S = 120;

    private final List<String> published = new ArrayList<>();
    private final Path workDir;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;
    private final List<Job> jobs;

    /** One published job: definition name, its platform and arch, the node ids and the definition's local URL. */
    private record Job(String name, String platform, String arch, String testType, String jobNodeId,
            String kbuildNodeId, URI definitionUrl) {
    }

    private LocalFixtures(Path workDir, HttpServer server, ExecutorService executor, URI baseUri, List<Job> jobs) {
        this.workDir = workDir;
        this.server = server;
        this.executor = executor;
        this.baseUri = baseUri;
        this.jobs = List.copyOf(jobs);
    }

    /**
     * Builds the artifacts and rewritten definitions in {@code workDir} (created when missing; existing files of the
     * same names are replaced) and starts serving it on {@code 127.0.0.1}, on a free port.
     *
     * @throws IllegalStateException when {@code tar} or {@code xz} is missing or fails, or a definition names an
     *                               artifact file this class cannot fake
     * @throws UncheckedIOException  when a file cannot be written or the server cannot bind
     */
    public static LocalFixtures start(Path workDir) {
        Objects.requireNonNull(workDir, "workDir");
        Path root = workDir.toAbsolutePath().normalize();
        HttpServer server = null;
        ExecutorService executor = null;
        try {
            Files.createDirectories(root);
            Map<String, byte[]> definitions = loadDefinitions();
            requireTools();
            Path artifacts = Files.createDirectories(root.resolve(ARTIFACTS));
            buildArtifacts(root, artifacts);

            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            Path jobsDir = Files.createDirectories(root.resolve(JOBS));
            List<Job> jobs = new ArrayList<>();
            int n = 0;
            for (Map.Entry<String, byte[]> entry : definitions.entrySet()) {
                n++;
                jobs.add(writeDefinition(entry.getKey(), entry.getValue(), n, base, artifacts, jobsDir));
            }
            server.createContext("/", exchange -> serve(root, exchange));
            executor = Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "local-fixtures-http");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.start();
            return new LocalFixtures(root, server, executor, base, jobs);
        } catch (IOException e) {
            stop(server, executor);
            throw new UncheckedIOException("cannot set up the local KernelCI fixtures in " + root + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop(server, executor);
            throw e;
        }
    }

    /**
     * Adds the jobs to {@code api}: per definition a kbuild node ({@link KernelCiFixtures#kbuild}, state done; put
     * without an event) and a job node ({@link KernelCiFixtures#job} with the definition's platform, state
     * {@code available}, parent = the kbuild, {@code artifacts.job_definition} = the local definition URL),
     * published as a {@code created} event of an {@code available} node at {@value #FIRST_EVENT_TIMESTAMP}, then one
     * second later per job.
     *
     * @param runtime {@code data.runtime} of the job nodes (the lab's runtime name)
     */
    public void publish(KernelCiApiDouble api, String runtime) {
        publish(api, runtime, jobs.size());
    }

    /**
     * Publishes {@code count} jobs: the fixture jobs in {@link #DEFINITION_NAMES} order, then again with new job node
     * ids (same definitions) when {@code count} is larger than the number of definitions.
     */
    public void publish(KernelCiApiDouble api, String runtime, int count) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(runtime, "runtime");
        if (count < 0) {
            throw new IllegalArgumentException("cannot publish " + count + " jobs");
        }
        published.clear();
        LocalDateTime first = LocalDateTime.parse(FIRST_EVENT_TIMESTAMP, NAIVE);
        for (int i = 0; i < count; i++) {
            Job job = copy(jobs.get(i % jobs.size()), i / jobs.size(), i % jobs.size());
            published.add(job.jobNodeId());
            String kbuildName = "kbuild-gcc-15-" + (job.arch().equals("x86_64") ? "x86" : job.arch());
            ObjectNode kbuild = KernelCiFixtures.kbuild(job.kbuildNodeId());
            kbuild.put("name", kbuildName);
            kbuild.putArray("path").add("checkout").add(kbuildName);
            kbuild.withObject("/data").put("arch", job.arch());
            api.putNode(kbuild);

            String jobName = job.testType() + "-" + job.platform() + "-pull-labs";
            ObjectNode node = KernelCiFixtures.job(job.jobNodeId(), runtime, job.platform());
            node.put("name", jobName).put("group", jobName).put("parent", job.kbuildNodeId());
            node.putArray("path").add("checkout").add(kbuildName).add(jobName);
            node.withObject("/artifacts").put("job_definition", job.definitionUrl().toString());
            node.withObject("/data").put("arch", job.arch())
                    .put("kernel_type", job.arch().equals("x86_64") ? "bzimage" : "image");
            api.addJob(node, first.plusSeconds(i).format(NAIVE));
        }
    }

    /** The job node ids {@link #publish} adds, in publish order. */
    public List<String> jobNodeIds() {
        return List.copyOf(published);
    }

    /** Copy {@code n} of a fixture job: copy 0 is the job itself, later copies get job node ids of their own. */
    private static Job copy(Job job, int n, int index) {
        if (n == 0) {
            return job;
        }
        return new Job(job.name(), job.platform(), job.arch(), job.testType(),
                KernelCiFixtures.nodeId(0x10000 * n + index),
                job.kbuildNodeId(), job.definitionUrl());
    }

    /** The kbuild (parent) node ids {@link #publish} adds, in the order of {@link #jobNodeIds()}. */
    public List<String> kbuildNodeIds() {
        return jobs.stream().map(Job::kbuildNodeId).toList();
    }

    /** Definition name (see {@link #DEFINITION_NAMES}) to its local URL {@code <baseUri>/jobs/<name>.json}. */
    public Map<String, URI> jobDefinitionUrls() {
        Map<String, URI> urls = new LinkedHashMap<>();
        jobs.forEach(job -> urls.put(job.name(), job.definitionUrl()));
        return Collections.unmodifiableMap(urls);
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /** The directory the artifacts and definitions are in (absolute). */
    public Path workDir() {
        return workDir;
    }

    /**
     * The lab config of local runs: the three platforms of the definitions on EC2 (Amazon Linux 2023, one VM per
     * test, one hour), job definitions allowed from {@code http://127.0.0.1}, and artifact URLs over plain http from
     * {@code 127.0.0.1} ({@code artifact_urls}: where the fixtures are served); {@link LabConfig#parse} accepts it.
     */
    public String labConfigJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode platforms = root.putObject("platforms");
        platform(platforms, "qemu-x86_64", "x86_64", LabConfig.AL2023_X86_64, "m5.large");
        platform(platforms, "qemu-arm64", "arm64", LabConfig.AL2023_ARM64, "m7g.large");
        platform(platforms, "exynos850-e850-96", "arm64", LabConfig.AL2023_ARM64, "m7g.large");
        ObjectNode policy = root.putObject("job_definitions");
        policy.putArray("allowed_hosts").add("http://127.0.0.1");
        policy.put("max_bytes", LabConfig.JobDefinitionPolicy.DEFAULT_MAX_BYTES);
        ObjectNode artifactUrls = root.putObject("artifact_urls");
        artifactUrls.put("allow_http", true);
        artifactUrls.putArray("allow_private").add("127.0.0.1/32");
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the HTTP server; the files stay in {@link #workDir()}. */
    @Override
    public void close() {
        stop(server, executor);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Definitions

    private static Map<String, byte[]> loadDefinitions() throws IOException {
        Map<String, byte[]> definitions = new LinkedHashMap<>();
        for (String name : DEFINITION_NAMES) {
            String resource = "/job/" + name + ".json";
            try (InputStream in = LocalFixtures.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("job definition " + resource + " is not on the classpath "
                            + "(it comes with pullab-core's test-jar)");
                }
                definitions.put(name, in.readAllBytes());
            }
        }
        return definitions;
    }

    private static Job writeDefinition(String name, byte[] original, int n, URI base, Path artifacts, Path jobsDir)
            throws IOException {
        ObjectNode definition = (ObjectNode) JSON.readTree(original);
        JsonNode urls = definition.path("artifacts");
        if (urls instanceof ObjectNode artifactUrls) {
            List<String> keys = new ArrayList<>();
            artifactUrls.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode value = artifactUrls.get(key);
                if (value.isTextual()) {
                    String file = fileName(value.asText());
                    if (!Files.isRegularFile(artifacts.resolve(file))) {
                        throw new IllegalStateException("job definition " + name + ": no fake artifact for "
                                + key + " " + value.asText() + " (" + file + ")");
                    }
                    artifactUrls.put(key, base + "/" + ARTIFACTS + "/" + file);
                }
            }
        }
        Files.write(jobsDir.resolve(name + ".json"), JSON.writeValueAsBytes(definition));
        JsonNode environment = definition.path("environment");
        String callbackId = lastSegment(definition.path("callback").path("url").asText(""));
        String jobId = NODE_ID.matcher(callbackId).matches() ? callbackId : KernelCiFixtures.nodeId(n);
        return new Job(name, environment.path("platform").asText(), environment.path("arch").asText(),
                definition.path("tests").path(0).path("type").asText("test"), jobId,
                KernelCiFixtures.nodeId(0x100 + n), URI.create(base + "/" + JOBS + "/" + name + ".json"));
    }

    private static String fileName(String url) {
        String name = lastSegment(url);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalStateException("artifact URL without a file name: " + url);
        }
        return name;
    }

    private static String lastSegment(String url) {
        String path = url.replaceFirst("[?#].*$", "");
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void platform(ObjectNode platforms, String name, String arch, String ami, String instanceType) {
        platforms.putObject(name).put("executor", "ec2").put("arch", arch).put("ami_id", ami)
                .put("instance_type", instanceType).put("vm_count", 1).put("max_runtime", 7200);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Artifacts

    private static void buildArtifacts(Path root, Path artifacts) throws IOException {
        Path staging = root.resolve(".staging");
        deleteTree(staging);
        try {
            for (String image : List.of("bzImage", "Image")) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.writeBytes(("MZ fake " + image + " of Linux version " + KERNEL_VERSION + " (pullab local-run)\n")
                        .getBytes(StandardCharsets.US_ASCII));
                bytes.writeBytes(new byte[2048]);
                Files.write(artifacts.resolve(image), bytes.toByteArray());
            }

            Path modules = staging.resolve("modules");
            Path moduleDir = modules.resolve("lib/modules/" + KERNEL_VERSION);
            write(moduleDir.resolve("kernel/drivers/net/dummy.ko"), "fake module\n", false);
            write(moduleDir.resolve("kernel/fs/xfs/xfs.ko"), "fake module\n", false);
            write(moduleDir.resolve("modules.dep"), "kernel/drivers/net/dummy.ko:\nkernel/fs/xfs/xfs.ko:\n", false);
            write(moduleDir.resolve("modules.order"), "kernel/drivers/net/dummy.ko\nkernel/fs/xfs/xfs.ko\n", false);
            tar(modules, artifacts.resolve("modules.tar.xz"));

            Path rootfs = staging.resolve("rootfs");
            write(rootfs.resolve("opt/ltp/runltp"), VmFixtures.text("kernelci/stubs/runltp"), true);
            write(rootfs.resolve("opt/ltp/runtest/smoketest"), VmFixtures.text("kernelci/runtest-smoketest"), false);
            write(rootfs.resolve("opt/ltp/stub-outcomes.txt"), VmFixtures.text("kernelci/stub-outcomes.txt"), false);
            write(rootfs.resolve("opt/ltp/skipfile-lkft.yaml"), VmFixtures.text("kernelci/skipfile-lkft.yaml"), false);
            Files.createDirectories(rootfs.resolve("opt/ltp/testcases/bin"));
            write(rootfs.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"13\"\n", false);
            write(rootfs.resolve("usr/bin/hello"), "#!/bin/sh\necho hello\n", true);
            tar(rootfs, artifacts.resolve("full.rootfs.tar.xz"));

            Path kselftest = staging.resolve("kselftest");
            write(kselftest.resolve("run_kselftest.sh"), VmFixtures.text("kernelci/stubs/run_kselftest.sh"), true);
            write(kselftest.resolve("arm64.tap"), VmFixtures.text("kernelci/kselftest-arm64.tap"), false);
            write(kselftest.resolve("timers.tap"), VmFixtures.text("kernelci/kselftest-timers.tap"), false);
            write(kselftest.resolve("kselftest-list.txt"), VmFixtures.text("kernelci/kselftest-list.txt"), false);
            Files.createDirectories(kselftest.resolve("arm64"));
            Files.createDirectories(kselftest.resolve("timers"));
            tar(kselftest, artifacts.resolve("kselftest.tar.xz"));

            ByteArrayOutputStream ramdisk = new ByteArrayOutputStream();
            try (OutputStream gz = new GZIPOutputStream(ramdisk)) {
                gz.write("070701 fake initramfs (pullab local-run)\n".getBytes(StandardCharsets.US_ASCII));
            }
            Files.write(artifacts.resolve("rootfs.cpio.gz"), ramdisk.toByteArray());
            ByteArrayOutputStream dtb = new ByteArrayOutputStream();
            dtb.writeBytes(new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed});
            dtb.writeBytes("fake exynos850-e850-96 device tree (pullab local-run)\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Files.write(artifacts.resolve("exynos850-e850-96.dtb"), dtb.toByteArray());
        } finally {
            deleteTree(staging);
        }
    }

    private static void write(Path file, String content, boolean executable) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        if (executable) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void requireTools() {
        for (String tool : List.of("tar", "xz")) {
            try {
                run(List.of(tool, "--version"), null);
            } catch (IOException e) {
                throw new IllegalStateException("pullab local-run needs '" + tool + "' on the PATH to build the fake "
                        + "KernelCI artifacts (" + e.getMessage() + "): install " + tool + " (e.g. dnf/apt install "
                        + tool + ")", e);
            }
        }
    }

    private static void tar(Path dir, Path tarball) throws IOException {
        Files.deleteIfExists(tarball);
        run(List.of("tar", "-C", dir.toString(), "-cJf", tarball.toString(), "."), dir);
    }

    private static void run(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process = builder.start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        try {
            if (!process.waitFor(TAR_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + TAR_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                    + "): " + new String(output, StandardCharsets.UTF_8).strip());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP

    private static void serve(Path root, HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file) || root.relativize(file).startsWith(".staging")) {
                byte[] body = ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, method.equals("HEAD") ? -1 : body.length);
                if (!method.equals("HEAD")) {
                    exchange.getResponseBody().write(body);
                }
                return;
            }
            String type = file.getFileName().toString().endsWith(".json") ? "application/json"
                    : "application/octet-stream";
            exchange.getResponseHeaders().set("Content-Type", type);
            long size = Files.size(file);
            if (method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
            if (size > 0) {
                Files.copy(file, exchange.getResponseBody());
            }
        }
    }

    private static void stop(HttpServer server, ExecutorService executor) {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
