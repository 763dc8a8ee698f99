package dev.pullab.testkit.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Collects one page's DevTools events between a navigation and its snapshot. Called on the socket's thread; every
 * list is bounded, so a page that logs in a loop cannot fill the heap.
 */
final class PageRecorder {
    static final int MAX_ENTRIES = 1_000;
    static final int MAX_TEXT = 4_000;

    private final String sessionId;
    private final List<PageLoad.ConsoleMessage> console = new ArrayList<>();
    private final List<PageLoad.PageException> exceptions = new ArrayList<>();
    private final List<PageLoad.Request> requests = new ArrayList<>();
    private final List<PageLoad.FailedLoad> failedLoads = new ArrayList<>();
    private final Map<String, String> urlsById = new HashMap<>();
    private CompletableFuture<Void> loaded = new CompletableFuture<>();

    PageRecorder(String sessionId) {
        this.sessionId = sessionId;
    }

    /** Forgets the previous page and returns what completes at the next load event (or fails if the page dies). */
    synchronized CompletableFuture<Void> expectLoad() {
        console.clear();
        exceptions.clear();
        requests.clear();
        failedLoads.clear();
        urlsById.clear();
        loaded = new CompletableFuture<>();
        return loaded;
    }

    synchronized int requestCount() {
        return requests.size();
    }

    synchronized PageLoad snapshot(URI url, String title, String text, Duration elapsed) {
        return new PageLoad(url, title, text, console, exceptions, requests, failedLoads, elapsed);
    }

    void accept(DevToolsConnection.Event event) {
        if (event.method().equals("Target.targetCrashed") || event.method().equals("Inspector.targetCrashed")) {
            failLoad("the page crashed");
        } else if (event.method().equals("Target.detachedFromTarget")
                && sessionId.equals(event.params().path("sessionId").asText())) {
            failLoad("the page was closed");
        } else if (sessionId.equals(event.sessionId())) {
            page(event.method(), event.params());
        }
    }

    private synchronized void failLoad(String why) {
        loaded.completeExceptionally(new BrowserException(why));
    }

    private synchronized void page(String method, JsonNode params) {
        switch (method) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.consoleAPICalled" -> add(console, new PageLoad.ConsoleMessage("console",
                    params.path("type").asText("log"), argumentsText(params.path("args"))));
            case "Log.entryAdded" -> {
                JsonNode entry = params.path("entry");
                add(console, new PageLoad.ConsoleMessage(entry.path("source").asText("other"),
                        entry.path("level").asText("info"), bounded(entry.path("text").asText(""))));
            }
            case "Runtime.exceptionThrown" -> {
                JsonNode details = params.path("exceptionDetails");
                String description = details.path("exception").path("description").asText("");
                add(exceptions, new PageLoad.PageException(
                        bounded(description.isEmpty() ? details.path("text").asText("") : description),
                        bounded(details.path("url").asText("")), details.path("lineNumber").asInt(-1) + 1,
                        details.path("columnNumber").asInt(-1) + 1));
            }
            case "Network.requestWillBeSent" -> {
                String url = bounded(params.path("request").path("url").asText(""));
                if (urlsById.size() < MAX_ENTRIES) {
                    urlsById.put(params.path("requestId").asText(), url);
                }
                add(requests, new PageLoad.Request(url, params.path("request").path("method").asText("GET"),
                        params.path("type").asText("Other")));
            }
            case "Network.loadingFailed" -> {
                String error = params.path("errorText").asText("failed");
                String blocked = params.path("blockedReason").asText("");
                add(failedLoads, new PageLoad.FailedLoad(
                        urlsById.getOrDefault(params.path("requestId").asText(), "(unknown request)"),
                        blocked.isEmpty() ? error : error + " (blocked: " + blocked + ")"));
            }
            default -> {
                // other events of the enabled domains: not part of a page load's record
            }
        }
    }

    private static <T> void add(List<T> list, T item) {
        if (list.size() < MAX_ENTRIES) {
            list.add(item);
        }
    }

    /** A console call's arguments as the console shows them: strings as they are, other values by description. */
    private static String argumentsText(JsonNode args) {
        var text = new StringBuilder();
        for (JsonNode arg : args) {
            if (text.length() > 0) {
                text.append(' ');
            }
            if (arg.has("value")) {
                text.append(arg.get("value").isTextual() ? arg.get("value").asText() : arg.get("value").toString());
            } else if (arg.has("unserializableValue")) {
                text.append(arg.get("unserializableValue").asText());
            } else {
                text.append(arg.path("description").asText(arg.path("type").asText("")));
            }
            if (text.length() > MAX_TEXT) {
                break;
            }
        }
        return bounded(text.toString());
    }

    /** Long texts (a data: URL of an inline chart is megabytes) cut to their start and their length. */
    static String bounded(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…(" + text.length() + " chars)";
    }
}
