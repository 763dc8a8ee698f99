package dev.pullab.testkit.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One Chrome DevTools Protocol connection over the JDK's WebSocket: numbered commands answered by id, and events
 * (messages without an id) handed to a consumer on the socket's thread. Sessions are "flat": a command or event for an
 * attached page carries its {@code sessionId}.
 */
final class DevToolsConnection implements AutoCloseable {
    /** A full-page screenshot of a long report is a few MiB of base64; nothing legitimate comes near this. */
    static final int MAX_MESSAGE_CHARS = 64 << 20;

    record Event(String method, String sessionId, JsonNode params) {
    }

    private record Pending(String method, CompletableFuture<JsonNode> result) {
    }

    private final ObjectMapper json;
    private final Consumer<Event> events;
    private final Supplier<String> diagnostics;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private volatile String closedBecause;
    private WebSocket socket;

    private DevToolsConnection(ObjectMapper json, Consumer<Event> events, Supplier<String> diagnostics) {
        this.json = json;
        this.events = events;
        this.diagnostics = diagnostics;
    }

    /**
     * Connects to {@code endpoint} (the browser's ws:// URL).
     *
     * @param diagnostics what to add to an error about a lost connection (the browser's last stderr lines)
     */
    static DevToolsConnection open(URI endpoint, Duration timeout, ObjectMapper json, Consumer<Event> events,
            Supplier<String> diagnostics) {
        var connection = new DevToolsConnection(json, events, diagnostics);
        var client = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            connection.socket = client.newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(endpoint, connection.new Listener())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrowserException("interrupted while connecting to the browser's DevTools at " + endpoint, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new BrowserException("cannot connect to the browser's DevTools at " + endpoint + ": "
                    + (e instanceof TimeoutException ? "no answer within " + timeout.toSeconds() + " s" : e.getCause())
                    + diagnostics.get(), e);
        }
        return connection;
    }

    /** Sends {@code method} (to the page of {@code sessionId}, or the browser when null) and waits for its result. */
    JsonNode call(String sessionId, String method, ObjectNode params, Duration timeout) {
        int id = ids.incrementAndGet();
        ObjectNode message = json.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        message.set("params", params == null ? json.createObjectNode() : params);
        var result = new CompletableFuture<JsonNode>();
        pending.put(id, new Pending(method, result));
        try {
            if (closedBecause != null) {
                throw lost(method);
            }
            synchronized (sendLock) {
                socket.sendText(json.writeValueAsString(message), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return result.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (JsonProcessingException e) {
            throw new BrowserException("cannot write DevTools command " + method + ": " + e.getOriginalMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrowserException("interrupted while waiting for DevTools command " + method, e);
        } catch (TimeoutException e) {
            throw new BrowserException("DevTools command " + method + " got no answer within "
                    + seconds(timeout) + diagnostics.get(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BrowserException cause) {
                throw new BrowserException(cause.getMessage(), cause);
            }
            throw new BrowserException("DevTools command " + method + " failed: " + e.getCause() + diagnostics.get(), e);
        } finally {
            pending.remove(id);
        }
    }

    private BrowserException lost(String method) {
        return new BrowserException("DevTools command " + method + " failed: " + closedBecause + diagnostics.get());
    }

    private void dispatch(String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (JsonProcessingException e) {
            return; // not ours to judge: the protocol only sends JSON, a garbled frame answers no command
        }
        if (message.hasNonNull("id")) {
            var waiting = pending.get(message.get("id").asInt());
            if (waiting == null) {
                return;
            }
            if (message.has("error")) {
                waiting.result().completeExceptionally(new BrowserException("DevTools command " + waiting.method()
                        + " failed: " + message.path("error").path("message").asText(message.get("error").toString())));
            } else {
                waiting.result().complete(message.path("result"));
            }
        } else if (message.hasNonNull("method")) {
            events.accept(new Event(message.get("method").asText(),
                    message.hasNonNull("sessionId") ? message.get("sessionId").asText() : null,
                    message.path("params")));
        }
    }

    private void closed(String because) {
        if (closedBecause == null) {
            closedBecause = because;
        }
        pending.values().forEach(p -> p.result().completeExceptionally(lost(p.method())));
    }

    @Override
    public void close() {
        closed("the DevTools connection was closed");
        if (socket != null) {
            socket.abort();
        }
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (message.length() + data.length() > MAX_MESSAGE_CHARS) {
                closed("a DevTools message exceeded " + (MAX_MESSAGE_CHARS >> 20) + " MiB");
                webSocket.abort();
                return null;
            }
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                try {
                    dispatch(text);
                } catch (RuntimeException e) {
                    closed("handling a DevTools message failed: " + e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed("the browser closed the DevTools connection (" + statusCode + " " + reason + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed("the DevTools connection broke: " + error);
        }
    }
}
