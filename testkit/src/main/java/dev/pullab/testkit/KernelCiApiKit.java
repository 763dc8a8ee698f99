package dev.pullab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real upstream KernelCI API, as the peer kit {@code ../shared/peers/kernelci-api/} serves it on 127.0.0.1
 * (uvicorn with its default parser, as upstream deploys it; MongoDB replaced by an in-memory server). Started once
 * per JVM on first use and stopped when the JVM exits; its logs stay in {@code target/kernelci-api-<pid>/}.
 *
 * <p>The kit is found through {@code PULLAB_KERNELCI_API_KIT} (its folder), else in {@code peers/kernelci-api} of the
 * {@code pullab.shared.dir} system property (Maven sets it to {@code ../shared}), else as
 * {@code shared/peers/kernelci-api} in a parent folder (where CI and developers have it). Without it the tests that need it fail, naming where it was
 * looked for: they are part of {@code mvn verify}, not optional.
 *
 * <p>Every seeded job is a real node made the way the pipeline makes it ({@code seed.py}: checkout → kbuild → job,
 * {@code POST} running then {@code PUT} available, with the admin token). What the lab does is then read back from
 * the API: node state, result, {@code data}, child nodes and the events it emitted.
 */
public final class KernelCiApiKit {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static KernelCiApiKit shared;

    private final Path kit;
    private final Path run;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** A job node {@code seed.py} created. */
    public record SeededJob(String id, String name, String platform, String arch, String runtime,
            String jobDefinition) {
    }

    private KernelCiApiKit(Path kit, Path run, Map<String, String> env) {
        this.kit = kit;
        this.run = run;
        this.env = env;
    }

    /** The JVM's instance, started on first use (a warm start takes about 5 s, the first on a machine about 35 s). */
    public static synchronized KernelCiApiKit get() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "kernelci-api-kit-stop"));
        }
        return shared;
    }

    /** {@code http://127.0.0.1:<port>/latest}. */
    public URI baseUri() {
        return URI.create(env.get("KERNELCI_API_BASE_URI"));
    }

    /** The lab user's token: in group {@code runtime:<runtime>:node-editor} and nothing else. */
    public String labToken() {
        return env.get("KERNELCI_API_TOKEN");
    }

    /** The runtime the lab user may edit nodes of. */
    public String runtime() {
        return env.get("KERNELCI_RUNTIME_NAME");
    }

    /**
     * Creates job nodes as the pipeline does, each {@code available} with {@code artifacts.job_definition}.
     *
     * @param jobDefinitionUrl stored as the jobs' definition URL; may hold {@code {platform}}, {@code {name}}...
     * @param jobs             {@code NAME:ARCH:PLATFORM} each (ARCH x86_64 or arm64)
     * @param otherRuntime     also one control job of this runtime
     */
    public List<SeededJob> seed(String jobDefinitionUrl, List<String> jobs, Optional<String> otherRuntime) {
        return seed(runtime(), jobDefinitionUrl, jobs, otherRuntime);
    }

    /** As {@link #seed(String, List, Optional)}, the jobs scheduled to {@code runtime}. */
    public List<SeededJob> seed(String runtime, String jobDefinitionUrl, List<String> jobs,
            Optional<String> otherRuntime) {
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("name the jobs to seed (seed.py makes three default jobs otherwise)");
        }
        List<String> command = new ArrayList<>(List.of("python3", kit.resolve("seed.py").toString(),
                jobDefinitionUrl, "--env", run.resolve("env").toString(), "--runtime", runtime));
        jobs.forEach(job -> command.addAll(List.of("--job", job)));
        otherRuntime.ifPresent(name -> command.addAll(List.of("--other-runtime", name)));
        JsonNode created;
        try {
            created = JSON.readTree(runTool(command, Duration.ofSeconds(60), "seed.py"));
        } catch (IOException e) {
            throw new UncheckedIOException("seed.py printed something that is not JSON", e);
        }
        List<SeededJob> seeded = new ArrayList<>();
        created.get("jobs").forEach(job -> seeded.add(new SeededJob(job.get("id").asText(), job.get("name").asText(),
                job.get("platform").asText(), job.get("arch").asText(), job.get("runtime").asText(),
                job.get("job_definition").asText())));
        return seeded;
    }

    /** The API's access log (uvicorn's), one request a line: {@code "PATCH /latest/node/… HTTP/1.1" 200 OK}. */
    public List<String> accessLog() {
        try {
            return Files.readAllLines(run.resolve("api.log")).stream()
                    .filter(line -> line.contains(" HTTP/1.1\" ")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests after the first {@code from} lines of {@link #accessLog()} that the API answered 4xx or 5xx. */
    public List<String> rejectedSince(int from) {
        List<String> log = accessLog();
        return log.subList(Math.min(from, log.size()), log.size()).stream()
                .filter(line -> line.matches(".*HTTP/1\\.1\" [45]\\d\\d.*")).toList();
    }

    /** {@code GET /node/{id}}: the node as stored ({@code null} node when unknown). */
    public JsonNode node(String id) {
        return get("node/" + id);
    }

    /** The nodes whose {@code parent} is {@code id} ({@code GET /nodes?parent=}). */
    public List<JsonNode> children(String id) {
        List<JsonNode> items = new ArrayList<>();
        get("nodes?parent=" + id + "&limit=1000").path("items").forEach(items::add);
        return items;
    }

    /** Every event the API stored about the node ({@code GET /events?node_id=}), in the API's order. */
    public List<JsonNode> events(String nodeId) {
        List<JsonNode> events = new ArrayList<>();
        get("events?node_id=" + nodeId).forEach(events::add);
        return events;
    }

    /** {@code PATCH /node/{id}?noevent=true} as the admin (the pipeline's role), e.g. another lab's claim. */
    public void patchAsAdmin(String id, ObjectNode body) {
        send("PATCH", "node/" + id + "?noevent=true", body, env.get("KAPI_ADMIN_TOKEN"));
    }

    /** {@code PATCH /node/{id}} with the lab's token; returns the status code (the API's verdict, not ours). */
    public int patchAsLab(String id, ObjectNode body) {
        return send("PATCH", "node/" + id + "?noevent=true", body, labToken()).statusCode();
    }

    private JsonNode get(String path) {
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(resolve(path)).GET());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("kernelci-api GET " + path + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(String method, String path, JsonNode body, String token) {
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token));
        if (response.statusCode() / 100 != 2 && token.equals(env.get("KAPI_ADMIN_TOKEN"))) {
            throw new IllegalStateException("kernelci-api " + method + " " + path + " as admin: HTTP "
                    + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI resolve(String path) {
        String base = baseUri().toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + path);
    }

    /** A query parameter value, encoded. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static KernelCiApiKit start() {
        Path kit = locate();
        Path run = Path.of("target", "kernelci-api-" + ProcessHandle.current().pid()).toAbsolutePath();
        try {
            Files.createDirectories(run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String envFile = runTool(List.of(kit.resolve("kernelci-api.sh").toString(), "start"), START_TIMEOUT,
                "kernelci-api.sh start", Map.of("KAPI_RUN", run.toString())).strip();
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of(envFile))) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("kernelci-api kit: cannot read its env file " + envFile, e);
        }
        return new KernelCiApiKit(kit, run, env);
    }

    private void stop() {
        runTool(List.of(kit.resolve("kernelci-api.sh").toString(), "stop", run.toString()), Duration.ofSeconds(60),
                "kernelci-api.sh stop");
    }

    /** The kit's folder (see the class comment). */
    static Path locate() {
        String configured = System.getenv("PULLAB_KERNELCI_API_KIT");
        if (configured != null && !configured.isBlank()) {
            return requireKit(Path.of(configured));
        }
        List<Path> tried = new ArrayList<>();
        String shared = System.getProperty("pullab.shared.dir");
        if (shared != null && !shared.isBlank()) {
            Path candidate = Path.of(shared, "peers", "kernelci-api");
            tried.add(candidate);
            if (Files.isRegularFile(candidate.resolve("kernelci-api.sh"))) {
                return candidate;
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/peers/kernelci-api");
            tried.add(candidate);
            if (Files.isRegularFile(candidate.resolve("kernelci-api.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("the KernelCI API peer kit (shared/peers/kernelci-api/kernelci-api.sh) is not"
                + " beside this checkout; looked in " + tried + ". Set PULLAB_KERNELCI_API_KIT to its folder.");
    }

    private static Path requireKit(Path dir) {
        if (!Files.isRegularFile(dir.resolve("kernelci-api.sh"))) {
            throw new IllegalStateException("PULLAB_KERNELCI_API_KIT=" + dir + " has no kernelci-api.sh");
        }
        return dir;
    }

    private static String runTool(List<String> command, Duration timeout, String what) {
        return runTool(command, timeout, what, Map.of());
    }

    /** Runs a kit tool; its stdout, or an exception with its stderr's tail. */
    private static String runTool(List<String> command, Duration timeout, String what, Map<String, String> extraEnv) {
        try {
            // files, not pipes: the services the kit starts in the background must not hold our stdout open
            Path out = Files.createTempFile("kernelci-api-kit", ".out");
            Path err = Files.createTempFile("kernelci-api-kit", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(extraEnv);
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s; its log: "
                        + err);
            }
            String log = Files.readString(err);
            String stdout = Files.readString(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + process.exitValue() + "): "
                        + log.substring(Math.max(0, log.length() - 3000)));
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }
}
