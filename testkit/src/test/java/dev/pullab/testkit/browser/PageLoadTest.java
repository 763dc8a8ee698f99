package dev.pullab.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PageLoadTest {
    private static PageLoad load(List<PageLoad.Request> requests) {
        return new PageLoad(URI.create("file:///r/report.html"), "t", "", List.of(), List.of(), requests, List.of(),
                Duration.ZERO);
    }

    @Test
    @DisplayName("file:, data:, blob: and about: requests stay on the machine; every other scheme is external")
    void externalRequests() {
        var requests = List.of(new PageLoad.Request("file:///r/report.html", "GET", "Document"),
                new PageLoad.Request("data:image/png;base64,iVBOR", "GET", "Image"),
                new PageLoad.Request("blob:null/1234", "GET", "Image"),
                new PageLoad.Request("about:blank", "GET", "Document"),
                new PageLoad.Request("DATA:text/plain,x", "GET", "Other"),
                new PageLoad.Request("https://cdn.example.com/chart.js", "GET", "Script"),
                new PageLoad.Request("http://127.0.0.1:9/x.png", "GET", "Image"),
                new PageLoad.Request("//no-scheme", "GET", "Other"));

        assertThat(load(requests).externalRequests()).extracting(PageLoad.Request::url)
                .containsExactly("https://cdn.example.com/chart.js", "http://127.0.0.1:9/x.png", "//no-scheme");
    }

    @Test
    @DisplayName("problems list exceptions, console errors and failed loads, one line each, but not warnings")
    void problems() {
        var load = new PageLoad(URI.create("file:///r/report.html"), "t", "",
                List.of(new PageLoad.ConsoleMessage("console", "warning", "slow"),
                        new PageLoad.ConsoleMessage("console", "error", "no data"),
                        new PageLoad.ConsoleMessage("network", "error", "Failed to load resource")),
                List.of(new PageLoad.PageException("Error: boom", "file:///r/report.html", 3, 7)),
                List.of(), List.of(new PageLoad.FailedLoad("file:///r/chart.png", "net::ERR_FILE_NOT_FOUND")),
                Duration.ZERO);

        assertThat(load.problems()).containsExactly(
                "uncaught exception at file:///r/report.html:3: Error: boom",
                "console error: no data",
                "network error: Failed to load resource",
                "failed load of file:///r/chart.png: net::ERR_FILE_NOT_FOUND");
    }

    @Test
    @DisplayName("a data: URL of megabytes is kept as its start and its length")
    void longUrlsBounded() {
        String url = "data:image/png;base64," + "A".repeat(1_000_000);

        assertThat(PageRecorder.bounded(url)).hasSizeLessThan(5_000).startsWith("data:image/png").endsWith("chars)");
    }
}
