package dev.pullab.testkit.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium child process driven over the Chrome DevTools Protocol (JDK WebSocket, no WebDriver), with one
 * page: {@link #open} loads a URL and records what happened, then {@link #evaluate}, {@link #textOf},
 * {@link #texts} and {@link #screenshot} look at it. Every step is bounded in time; {@link #close} ends the browser
 * (forcibly if it does not stop) and deletes its throw-away profile.
 *
 * <pre>{@code
 * try (var browser = HeadlessChromium.startOrSkip()) {
 *     PageLoad load = browser.open(report.toUri(), Duration.ofSeconds(20));
 *     assertThat(load.problems()).isEmpty();
 *     assertThat(load.externalRequests()).isEmpty();
 *     assertThat(load.text()).contains("REGRESSION");
 *     browser.saveScreenshot(Path.of("target", "screenshots", "report.png"));
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {
    /** Names the browser binary to use, overriding the search of the PATH. */
    public static final String BINARY_VARIABLE = "PULLAB_CHROMIUM";
    /** Looked up on the PATH in this order. */
    public static final List<String> BINARY_NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    /** Debian's package, which {@code .ci/run} installs. */
    public static final String DEBIAN_PACKAGE = "chromium";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The viewport: wide enough for a verdict table; a screenshot covers the whole page whatever its height. */
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 1024;
    /** A full-page screenshot stops here (pixels): a runaway page does not become a gigabyte image. */
    public static final int MAX_SCREENSHOT_HEIGHT = 16_384;

    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final int STDERR_LINES = 15;
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    /** The renderer and zygote helpers, once the browser itself is gone: they have nothing left to save. */
    private static final Duration CHILD_GRACE = Duration.ofMillis(500);

    private final Path binary;
    private final Process process;
    private final Path profile;
    private final StderrTail stderr;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration commandTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private DevToolsConnection devtools;
    private PageRecorder page;
    private String sessionId;

    private HeadlessChromium(Path binary, Process process, Path profile, StderrTail stderr, Duration timeout) {
        this.binary = binary;
        this.process = process;
        this.profile = profile;
        this.stderr = stderr;
        this.commandTimeout = timeout;
    }

    /** The browser binary: {@value #BINARY_VARIABLE} if set (and executable), else the first of {@link #BINARY_NAMES} on the PATH. */
    public static Optional<Path> find() {
        return find(System.getenv());
    }

    static Optional<Path> find(Map<String, String> env) {
        String named = env.getOrDefault(BINARY_VARIABLE, "");
        if (!named.isBlank()) {
            Path path = Path.of(named);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        List<Path> dirs = Stream.of(env.getOrDefault("PATH", "").split(Pattern.quote(File.pathSeparator)))
                .filter(dir -> !dir.isBlank()).map(Path::of).toList();
        for (String name : BINARY_NAMES) {
            for (Path dir : dirs) {
                Path candidate = dir.resolve(name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Why {@link #find} found nothing, and how to fix it. */
    static String notFoundMessage(Map<String, String> env) {
        String named = env.getOrDefault(BINARY_VARIABLE, "");
        if (!named.isBlank()) {
            return BINARY_VARIABLE + "=" + named + " is not an executable file: point it at a Chromium or Chrome "
                    + "binary, or unset it to use " + String.join(", ", BINARY_NAMES) + " from the PATH";
        }
        return "no headless browser: none of " + String.join(", ", BINARY_NAMES) + " is on the PATH; install Debian's "
                + "package (apt-get install " + DEBIAN_PACKAGE + ") or set " + BINARY_VARIABLE + " to a Chromium binary";
    }

    /**
     * The browser binary for a test that needs one. With no browser the test is skipped (a JUnit assumption, whose
     * message says how to install one), except under {@code CI=true}, where it fails: CI never skips the browser test
     * silently. Called in {@code @BeforeAll}, it skips or fails the whole class.
     */
    public static Path requireOrSkip() {
        return requireOrSkip(System.getenv(), System.err);
    }

    static Path requireOrSkip(Map<String, String> env, PrintStream log) {
        Optional<Path> found = find(env);
        if (found.isPresent()) {
            return found.get();
        }
        if ("true".equalsIgnoreCase(env.getOrDefault("CI", "").trim())) {
            throw new BrowserException(notFoundMessage(env) + " (CI=true: the browser test may not be skipped)");
        }
        // a class skipped in @BeforeAll shows as "Tests run: 0" in the Maven log: say why there
        log.println("[browser test skipped] " + notFoundMessage(env));
        return Assumptions.abort(notFoundMessage(env));
    }

    /** {@link #requireOrSkip()}, then {@link #start(Path, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static HeadlessChromium startOrSkip() {
        return start(requireOrSkip(), DEFAULT_TIMEOUT);
    }

    /** Starts the browser {@link #find} finds, or fails saying how to install one. */
    public static HeadlessChromium start() {
        return start(find().orElseThrow(() -> new BrowserException(notFoundMessage(System.getenv()))),
                DEFAULT_TIMEOUT);
    }

    /**
     * Starts {@code binary} headless with a fresh profile and opens a blank page.
     *
     * @param timeout how long the browser may take to start, and then each DevTools command
     */
    public static HeadlessChromium start(Path binary, Duration timeout) {
        Path profile;
        try {
            profile = Files.createTempDirectory("pullab-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a browser profile directory: " + e.getMessage(), e);
        }
        var command = new ArrayList<>(List.of(binary.toString(), "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio",
                "--hide-scrollbars", "--window-size=" + WIDTH + "," + HEIGHT));
        if (runsAsRoot()) {
            command.add("--no-sandbox"); // Chromium refuses to start its sandbox as root
        }
        command.add("about:blank");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            deleteTree(profile);
            throw new BrowserException("cannot run " + binary + ": " + e.getMessage() + "; install Debian's package "
                    + "(apt-get install " + DEBIAN_PACKAGE + ") or set " + BINARY_VARIABLE, e);
        }
        var stderr = new StderrTail(process.getErrorStream(), binary.getFileName().toString());
        var browser = new HeadlessChromium(binary, process, profile, stderr, timeout);
        try {
            browser.connect(timeout);
            return browser;
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    private void connect(Duration timeout) {
        process.onExit().thenRun(() -> stderr.endpoint.completeExceptionally(new BrowserException(
                binary + " exited with status " + process.exitValue() + " before DevTools listened" + stderr.tail())));
        URI endpoint;
        try {
            endpoint = stderr.endpoint.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrowserException("interrupted while starting " + binary, e);
        } catch (TimeoutException e) {
            throw new BrowserException(binary + " did not start within " + DevToolsConnection.seconds(timeout)
                    + " (no \"DevTools listening on\" line)" + stderr.tail(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BrowserException b ? b : new BrowserException(e.getCause().toString(), e);
        }
        var recorder = new PageRecorder[1];
        devtools = DevToolsConnection.open(endpoint, timeout, json, event -> {
            if (recorder[0] != null) {
                recorder[0].accept(event);
            }
        }, stderr::tail);
        String targetId = browserCall("Target.createTarget", params().put("url", "about:blank"))
                .path("targetId").asText();
        sessionId = browserCall("Target.attachToTarget", params().put("targetId", targetId).put("flatten", true))
                .path("sessionId").asText();
        page = new PageRecorder(sessionId);
        recorder[0] = page;
        for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
            call(domain + ".enable", params());
        }
    }

    /** The browser's product and version, e.g. "Chrome/156.0.8078.114". */
    public String version() {
        return browserCall("Browser.getVersion", params()).path("product").asText();
    }

    /**
     * Navigates to {@code url} and waits for its load event (images and scripts included), then reads its title and
     * visible text. The record holds what happened during this load only.
     *
     * @param timeout for the whole load
     */
    public PageLoad open(URI url, Duration timeout) {
        if (!url.isAbsolute()) {
            throw new BrowserException("cannot open " + url + ": not an absolute URL (use Path.toUri() for a file)");
        }
        if ("file".equals(url.getScheme()) && !Files.isRegularFile(Path.of(url))) {
            throw new BrowserException("cannot open " + url + ": no such file");
        }
        long start = System.nanoTime();
        CompletableFuture<Void> loaded = page.expectLoad();
        JsonNode navigation = call("Page.navigate", params().put("url", url.toString()), timeout);
        if (navigation.hasNonNull("errorText")) {
            throw new BrowserException("cannot open " + url + ": " + navigation.get("errorText").asText());
        }
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        try {
            loaded.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrowserException("interrupted while loading " + url, e);
        } catch (TimeoutException e) {
            throw new BrowserException(url + " did not finish loading within " + DevToolsConnection.seconds(timeout)
                    + " (" + page.requestCount() + " requests sent)", e);
        } catch (ExecutionException e) {
            throw new BrowserException("loading " + url + " failed: " + e.getCause().getMessage(), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String title = evaluate("document.title");
        String text = evaluate("document.body === null ? '' : document.body.innerText");
        return page.snapshot(url, title, text, elapsed);
    }

    /**
     * Evaluates a JavaScript expression in the page (promises awaited) and returns its value as text: a string as it
     * is, anything else as JSON ({@code 3}, {@code true}, {@code null}, {@code {"a":1}}), undefined as
     * {@code "undefined"}. An exception in the expression fails with its message.
     */
    public String evaluate(String expression) {
        JsonNode value = evaluateValue(expression);
        if (value == null) {
            return "undefined";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    /** The visible text ({@code innerText}) of the element with this id; empty if there is no such element. */
    public Optional<String> textOf(String elementId) {
        JsonNode value = evaluateValue("(() => { const e = document.getElementById(" + literal(elementId)
                + "); return e === null ? null : e.innerText; })()");
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** The visible text of every element matching a CSS selector, in document order. */
    public List<String> texts(String cssSelector) {
        JsonNode value = evaluateValue("Array.from(document.querySelectorAll(" + literal(cssSelector)
                + "), e => e.innerText)");
        var texts = new ArrayList<String>();
        if (value != null) {
            value.forEach(text -> texts.add(text.asText()));
        }
        return texts;
    }

    private JsonNode evaluateValue(String expression) {
        JsonNode result = call("Runtime.evaluate",
                params().put("expression", expression).put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            JsonNode details = result.get("exceptionDetails");
            throw new BrowserException("evaluating " + PageRecorder.bounded(expression) + " threw: "
                    + details.path("exception").path("description").asText(details.path("text").asText()));
        }
        JsonNode value = result.path("result");
        return value.has("value") ? value.get("value") : null;
    }

    /** A PNG of the whole page (not only the viewport), at most {@link #MAX_SCREENSHOT_HEIGHT} pixels high. */
    public byte[] screenshot() {
        JsonNode metrics = call("Page.getLayoutMetrics", params());
        JsonNode size = metrics.has("cssContentSize") ? metrics.get("cssContentSize") : metrics.path("contentSize");
        double width = Math.max(1, Math.ceil(size.path("width").asDouble(WIDTH)));
        double height = Math.min(MAX_SCREENSHOT_HEIGHT, Math.max(1, Math.ceil(size.path("height").asDouble(HEIGHT))));
        ObjectNode clip = params().put("x", 0).put("y", 0).put("width", width).put("height", height).put("scale", 1);
        ObjectNode request = params().put("format", "png").put("captureBeyondViewport", true);
        request.set("clip", clip);
        String data = call("Page.captureScreenshot", request).path("data").asText("");
        if (data.isEmpty()) {
            throw new BrowserException("Page.captureScreenshot returned no image");
        }
        return Base64.getDecoder().decode(data);
    }

    /** Writes {@link #screenshot()} to {@code file} (creating its directory) and returns the file. */
    public Path saveScreenshot(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            return Files.write(file, screenshot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + file + ": " + e.getMessage(), e);
        }
    }

    /** Ends the browser: asks it to close, then terminates it (forcibly if needed) and deletes its profile. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        if (devtools != null) {
            try {
                devtools.call(null, "Browser.close", params(), Duration.ofSeconds(2));
            } catch (BrowserException e) {
                // the process is terminated below whatever the browser answered
            }
            devtools.close();
        }
        stop(List.of(process.toHandle()), STOP_GRACE);
        stop(children, CHILD_GRACE);
        deleteTree(profile);
    }

    /** Whether the browser process is running (false after {@link #close}). */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Terminates the processes together, waits up to {@code grace}, then kills what is left and waits for that. */
    private static void stop(List<ProcessHandle> handles, Duration grace) {
        List<ProcessHandle> alive = handles.stream().filter(HeadlessChromium::running).toList();
        alive.forEach(ProcessHandle::destroy);
        if (!awaitExit(alive, grace)) {
            alive.stream().filter(HeadlessChromium::running).forEach(ProcessHandle::destroyForcibly);
            awaitExit(alive, STOP_GRACE);
        }
    }

    /**
     * Alive and not a zombie: the browser's helpers outlive it by a moment and are then reparented to PID 1, which in
     * a container may reap them only seconds later; {@code isAlive()} is true for a zombie.
     */
    private static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | UncheckedIOException e) {
            return handle.isAlive(); // no /proc (not Linux), or the process is gone
        }
    }

    /** Polls: {@code onExit()} of a process that is not our child polls too, but backs off to a second and more. */
    private static boolean awaitExit(List<ProcessHandle> handles, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (handles.stream().anyMatch(HeadlessChromium::running)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private JsonNode call(String method, ObjectNode params) {
        return call(method, params, commandTimeout);
    }

    private JsonNode call(String method, ObjectNode params, Duration timeout) {
        return devtools.call(sessionId, method, params, timeout);
    }

    private JsonNode browserCall(String method, ObjectNode params) {
        return devtools.call(null, method, params, commandTimeout);
    }

    private ObjectNode params() {
        return json.createObjectNode();
    }

    /** A JavaScript string literal (JSON's is one). */
    private String literal(String text) {
        return json.getNodeFactory().textNode(text).toString();
    }

    private static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a child still writing: try again below
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Drains the browser's stderr on a daemon thread (a full pipe would stall it), keeps its last lines for error
     * messages and completes {@link #endpoint} with the DevTools URL once the browser prints it.
     */
    private static final class StderrTail {
        private static final int MAX_LINE = 500;
        final CompletableFuture<URI> endpoint = new CompletableFuture<>();
        private final Deque<String> lines = new ArrayDeque<>();

        StderrTail(InputStream stream, String name) {
            var thread = new Thread(() -> drain(stream), name + "-stderr");
            thread.setDaemon(true);
            thread.start();
        }

        private void drain(InputStream stream) {
            try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
                var line = new StringBuilder();
                int c;
                while ((c = reader.read()) != -1) {
                    if (c == '\n') {
                        line(line.toString());
                        line.setLength(0);
                    } else if (line.length() < MAX_LINE) {
                        line.append((char) c);
                    }
                }
                if (line.length() > 0) {
                    line(line.toString());
                }
            } catch (IOException e) {
                line("(reading stderr failed: " + e.getMessage() + ")");
            }
        }

        private void line(String line) {
            var url = DEVTOOLS_URL.matcher(line);
            if (url.find()) {
                try {
                    endpoint.complete(URI.create(url.group(1)));
                } catch (IllegalArgumentException e) {
                    endpoint.completeExceptionally(new BrowserException("the browser printed an unusable DevTools "
                            + "URL: " + line));
                }
            }
            synchronized (lines) {
                lines.addLast(line);
                if (lines.size() > STDERR_LINES) {
                    lines.removeFirst();
                }
            }
        }

        /** "; its last stderr lines:\n..." or "" when it printed nothing. */
        String tail() {
            synchronized (lines) {
                return lines.isEmpty() ? "" : "; its last stderr lines:\n  " + String.join("\n  ", lines);
            }
        }
    }
}
