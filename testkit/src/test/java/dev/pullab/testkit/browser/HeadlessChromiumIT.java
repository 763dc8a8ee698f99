package dev.pullab.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real headless Chromium for the class; each test loads its own small page. */
class HeadlessChromiumIT {
    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static HeadlessChromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrowser() {
        long start = System.nanoTime();
        browser = HeadlessChromium.startOrSkip();
        System.out.printf("browser %s started in %d ms%n", browser.version(), (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private Path page(String name, String html) throws IOException {
        return Files.writeString(dir.resolve(name), html, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a self-contained page loads with no problems and no external request; its title and text read back")
    void cleanPage() throws IOException {
        Path file = page("clean.html", """
                <!doctype html><html><head><meta charset="utf-8"><title>Run 42</title>
                <style>td.regression { color: #b00; }</style></head>
                <body><h1>Run 42</h1><table><tr><td id="verdict" class="regression">REGRESSION</td>
                <td class="improvement">improvement</td></tr></table>
                <img alt="chart" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">
                <script>console.log('rendered', 2, 'tables');</script></body></html>
                """);

        PageLoad load = browser.open(file.toUri(), LOAD);
        System.out.printf("page loaded in %d ms%n", load.elapsed().toMillis());

        assertThat(load.problems()).isEmpty();
        assertThat(load.externalRequests()).isEmpty();
        assertThat(load.title()).isEqualTo("Run 42");
        assertThat(load.text()).contains("Run 42", "REGRESSION", "improvement");
        assertThat(load.console()).extracting(PageLoad.ConsoleMessage::text).contains("rendered 2 tables");
        assertThat(browser.textOf("verdict")).hasValue("REGRESSION");
        assertThat(browser.textOf("no-such-id")).isEmpty();
        assertThat(browser.texts("td")).containsExactly("REGRESSION", "improvement");
        assertThat(browser.evaluate("document.querySelectorAll('td.regression').length")).isEqualTo("1");
    }

    @Test
    @DisplayName("an exception thrown by the page's script is reported with its message and line")
    void scriptException() throws IOException {
        Path file = page("throws.html", """
                <!doctype html><html><head><title>broken</title></head><body><p>before</p>
                <script>
                throw new Error('chart data missing');
                </script></body></html>
                """);

        PageLoad load = browser.open(file.toUri(), LOAD);

        assertThat(load.exceptions()).singleElement().satisfies(e -> {
            assertThat(e.message()).contains("chart data missing");
            assertThat(e.line()).isEqualTo(3);
        });
        assertThat(load.problems()).singleElement().asString().contains("chart data missing");
    }

    @Test
    @DisplayName("console.error counts as a problem")
    void consoleError() throws IOException {
        Path file = page("console-error.html", "<!doctype html><title>e</title><script>console.error('no data for',"
                + " 'x86_64')</script>");

        PageLoad load = browser.open(file.toUri(), LOAD);

        assertThat(load.errors()).extracting(PageLoad.ConsoleMessage::text).containsExactly("no data for x86_64");
        assertThat(load.problems()).hasSize(1);
    }

    @Test
    @DisplayName("an image from another origin is recorded as an external request, and its refused load as a failure")
    void externalImage() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String image = "http://127.0.0.1:" + closedPort + "/x.png";
        Path file = page("external.html", "<!doctype html><title>x</title><body><img src=\"" + image + "\"></body>");

        PageLoad load = browser.open(file.toUri(), LOAD);

        assertThat(load.externalRequests()).extracting(PageLoad.Request::url).containsExactly(image);
        assertThat(load.failedLoads()).extracting(PageLoad.FailedLoad::url).containsExactly(image);
        assertThat(load.problems()).anySatisfy(p -> assertThat(p).contains(image));
    }

    @Test
    @DisplayName("a screenshot is a PNG of the whole page, kept under target/ for a person to look at")
    void screenshot() throws IOException {
        Path file = page("long.html", """
                <!doctype html><html><head><title>long</title><style>
                body { font-family: sans-serif; margin: 0 }
                div { height: 400px; border-bottom: 4px solid #246; padding: 1em; font-size: 32px }
                .regression { background: #fdd } .improvement { background: #ddf }
                </style></head><body>
                <div class="regression">1: regression (red)</div><div>2: unflagged</div>
                <div class="improvement">3: improvement (blue)</div><div>4: bottom, beyond the 1024 px viewport</div>
                </body></html>
                """);
        browser.open(file.toUri(), LOAD);

        Path shot = browser.saveScreenshot(Path.of("target", "screenshots", "headless-chromium-it.png"));

        byte[] png = Files.readAllBytes(shot);
        assertThat(Arrays.copyOf(png, 8)).isEqualTo(PNG_SIGNATURE);
        // IHDR: width and height, big-endian, at bytes 16..23; the page is 4 x 404 px + padding high
        int width = java.nio.ByteBuffer.wrap(png, 16, 4).getInt();
        int height = java.nio.ByteBuffer.wrap(png, 20, 4).getInt();
        assertThat(width).isEqualTo(HeadlessChromium.WIDTH);
        assertThat(height).isGreaterThan(HeadlessChromium.HEIGHT);
    }

    @Test
    @DisplayName("a page whose image never arrives fails at the timeout, and the browser loads the next page")
    void hangingLoadBounded() throws IOException {
        try (var silent = new ServerSocket(0)) { // listens, never accepts: the request hangs
            Path file = page("hangs.html", "<!doctype html><title>h</title><img src=\"http://127.0.0.1:"
                    + silent.getLocalPort() + "/chart.png\">");
            long start = System.nanoTime();

            assertThatThrownBy(() -> browser.open(file.toUri(), Duration.ofMillis(1500)))
                    .isInstanceOf(BrowserException.class).hasMessageContaining("hangs.html")
                    .hasMessageContaining("did not finish loading within 1500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        Path next = page("next.html", "<!doctype html><title>next</title><p>fine</p>");
        assertThat(browser.open(next.toUri(), LOAD).text()).isEqualTo("fine");
    }

    @Test
    @DisplayName("a file that is not there and an expression that throws fail with what went wrong")
    void failuresNamed() {
        Path missing = dir.resolve("missing.html");
        assertThatThrownBy(() -> browser.open(missing.toUri(), LOAD)).isInstanceOf(BrowserException.class)
                .hasMessageContaining("missing.html").hasMessageContaining("no such file");
        assertThatThrownBy(() -> browser.evaluate("no_such_variable.x")).isInstanceOf(BrowserException.class)
                .hasMessageContaining("no_such_variable");
    }
}
