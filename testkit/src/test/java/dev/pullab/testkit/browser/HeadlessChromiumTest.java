package dev.pullab.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Finding the browser, the skip-or-fail rule and a browser that never starts: no real browser needed. */
class HeadlessChromiumTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);

    private Path executable(String name, String script) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    @DisplayName("the browser is found on the PATH, chromium before chromium-browser and google-chrome")
    void foundOnPath() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.move(executable("google-chrome", "true"), bin.resolve("google-chrome"));
        Files.move(executable("chromium", "true"), other.resolve("chromium"));

        assertThat(HeadlessChromium.find(Map.of("PATH", bin + ":" + other))).hasValue(other.resolve("chromium"));
        assertThat(HeadlessChromium.find(Map.of("PATH", bin.toString()))).hasValue(bin.resolve("google-chrome"));
    }

    @Test
    @DisplayName("PULLAB_CHROMIUM overrides the PATH; pointing at nothing finds nothing and says so")
    void variableOverrides() throws IOException {
        Path browser = executable("my-chrome", "true");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.move(executable("chromium", "true"), bin.resolve("chromium"));

        assertThat(HeadlessChromium.find(Map.of("PULLAB_CHROMIUM", browser.toString(), "PATH", bin.toString())))
                .hasValue(browser);
        var wrong = Map.of("PULLAB_CHROMIUM", dir.resolve("nope").toString(), "PATH", bin.toString());
        assertThat(HeadlessChromium.find(wrong)).isEmpty();
        assertThat(HeadlessChromium.notFoundMessage(wrong)).contains("PULLAB_CHROMIUM=", "nope",
                "not an executable file");
    }

    @Test
    @DisplayName("with no browser a test is skipped, with a message naming the package and PULLAB_CHROMIUM")
    void skippedWithoutBrowser() {
        var env = Map.of("PATH", dir.toString());

        assertThat(HeadlessChromium.find(env)).isEmpty();
        assertThatThrownBy(() -> HeadlessChromium.requireOrSkip(env, log)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("apt-get install chromium").hasMessageContaining("PULLAB_CHROMIUM");
        assertThat(logged.toString(StandardCharsets.UTF_8)).as("said in the Maven log, where a class skipped in "
                + "@BeforeAll only shows as 'Tests run: 0'").startsWith("[browser test skipped] no headless browser");
    }

    @Test
    @DisplayName("under CI=true a missing browser fails the test instead of skipping it")
    void failsInCi() {
        assertThatThrownBy(() -> HeadlessChromium.requireOrSkip(Map.of("PATH", dir.toString(), "CI", "true"), log))
                .isInstanceOf(BrowserException.class).hasMessageContaining("apt-get install chromium")
                .hasMessageContaining("CI=true");
    }

    @Test
    @DisplayName("a browser that never announces DevTools fails within the timeout, quoting its stderr, and is ended")
    void neverStarts() throws IOException {
        Path pidFile = dir.resolve("pid");
        Path silent = executable("silent-browser", "echo $$ > " + pidFile + "; echo 'cannot open display' >&2; "
                + "exec sleep 60");
        long start = System.nanoTime();

        assertThatThrownBy(() -> HeadlessChromium.start(silent, Duration.ofMillis(1500)))
                .isInstanceOf(BrowserException.class)
                .hasMessageContaining("did not start within 1500 ms")
                .hasMessageContaining("cannot open display");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the browser process").isEmpty();
    }

    @Test
    @DisplayName("a browser that exits at once fails with its exit status and last stderr lines")
    void exitsAtOnce() throws IOException {
        Path crashing = executable("crashing-browser", "echo 'Missing X server' >&2; exit 3");

        assertThatThrownBy(() -> HeadlessChromium.start(crashing, Duration.ofSeconds(10)))
                .isInstanceOf(BrowserException.class)
                .hasMessageContaining("exited with status 3")
                .hasMessageContaining("Missing X server");
    }

    @Test
    @DisplayName("a binary that cannot be run is named with the package to install")
    void cannotRun() {
        assertThatThrownBy(() -> HeadlessChromium.start(dir.resolve("no-browser"), Duration.ofSeconds(5)))
                .isInstanceOf(BrowserException.class)
                .hasMessageContaining("no-browser").hasMessageContaining("apt-get install chromium");
    }
}
