package dev.pullab.testkit.browser;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the browser saw while loading one page, up to its load event: console output and log entries, uncaught
 * exceptions, every request and every failed load, and then the page's title and visible text.
 *
 * @param url         the page opened
 * @param title       {@code document.title}
 * @param text        {@code document.body.innerText}: the text a person sees, one line per block
 * @param console     console API calls ({@code source} "console") and browser log entries ({@code source} as the
 *                    DevTools Log domain names it: network, javascript, security, deprecation, ...)
 * @param exceptions  uncaught exceptions and unhandled promise rejections
 * @param requests    every request the page made, the page itself included, in order
 * @param failedLoads every request that failed (refused, not found, blocked)
 * @param elapsed     from navigation to the load event
 */
public record PageLoad(URI url, String title, String text, List<ConsoleMessage> console,
        List<PageException> exceptions, List<Request> requests, List<FailedLoad> failedLoads, Duration elapsed) {

    /** URL schemes that never leave the machine: everything else is an external request. */
    public static final Set<String> LOCAL_SCHEMES = Set.of("file", "data", "blob", "about");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    private static final Set<String> ERROR_LEVELS = Set.of("error", "assert");

    public PageLoad {
        console = List.copyOf(console);
        exceptions = List.copyOf(exceptions);
        requests = List.copyOf(requests);
        failedLoads = List.copyOf(failedLoads);
    }

    /** One console message or browser log entry; {@code level} is DevTools' (log, info, warning, error, ...). */
    public record ConsoleMessage(String source, String level, String text) {
        public boolean isError() {
            return ERROR_LEVELS.contains(level);
        }
    }

    /** An uncaught exception: its description (message and stack), where it was thrown (1-based line). */
    public record PageException(String message, String url, int line, int column) {
    }

    /** A request as the page sent it; {@code resourceType} is DevTools' (Document, Image, Script, ...). */
    public record Request(String url, String method, String resourceType) {
        /** True unless the URL's scheme is one of {@link #LOCAL_SCHEMES} (file:, data:, blob:, about:). */
        public boolean isExternal() {
            var scheme = SCHEME.matcher(url);
            return !scheme.find() || !LOCAL_SCHEMES.contains(scheme.group(1).toLowerCase(Locale.ROOT));
        }
    }

    /** A request that failed, with the browser's reason (net::ERR_CONNECTION_REFUSED, net::ERR_FILE_NOT_FOUND). */
    public record FailedLoad(String url, String error) {
    }

    /** Requests that leave the machine: a self-contained page makes none. */
    public List<Request> externalRequests() {
        return requests.stream().filter(Request::isExternal).toList();
    }

    /** Console messages and log entries at level error (or a failed console.assert). */
    public List<ConsoleMessage> errors() {
        return console.stream().filter(ConsoleMessage::isError).toList();
    }

    /**
     * Everything that says the page did not load cleanly, one readable line each: uncaught exceptions, errors in the
     * console or the browser log, failed loads. Empty for a clean load; {@code assertThat(load.problems()).isEmpty()}
     * shows them all when it is not. External requests are not counted here: see {@link #externalRequests()}.
     */
    public List<String> problems() {
        var problems = new ArrayList<String>();
        exceptions.forEach(e -> problems.add("uncaught exception at " + e.url() + ":" + e.line() + ": " + e.message()));
        errors().forEach(m -> problems.add(m.source() + " " + m.level() + ": " + m.text()));
        failedLoads.forEach(f -> problems.add("failed load of " + f.url() + ": " + f.error()));
        return problems;
    }
}
