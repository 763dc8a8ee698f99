package dev.pullab.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that answers as a careless or hostile peer would: bodies dripped a byte at a time, bodies
 * larger than any cap (with or without a Content-Length), statuses with {@code Retry-After}. Answers are given in
 * order, one per request, the last one repeated; {@link #hits()} counts the requests.
 */
public final class HostileServer implements AutoCloseable {

    /** One answer to one request. */
    @FunctionalInterface
    public interface Answer {
        void answer(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<Answer> answers;
    private final AtomicInteger hits = new AtomicInteger();

    private HostileServer(List<Answer> answers) {
        this.answers = List.copyOf(answers);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hostile-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            int hit = hits.getAndIncrement();
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                this.answers.get(Math.min(hit, this.answers.size() - 1)).answer(exchange);
            } catch (IOException e) {
                // the client went away (it gave up on a slow or large answer): nothing to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    public static HostileServer start(Answer... answers) {
        return new HostileServer(Arrays.asList(answers));
    }

    /** {@code path} on this server, e.g. {@code /events?limit=1}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Requests answered so far. */
    public int hits() {
        return hits.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** {@code status} with {@code headers} and {@code body}. */
    public static Answer status(int status, Map<String, String> headers, String body) {
        return exchange -> {
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    /** 200 with a JSON body. */
    public static Answer json(String body) {
        return status(200, Map.of(), body);
    }

    /**
     * 200 announcing {@code bytes} bytes (Content-Length) of a JSON array, the headers at once and then one byte
     * every {@code interval}.
     */
    public static Answer drip(int bytes, Duration interval) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < bytes; i++) {
                out.write(i == 0 ? '[' : i == bytes - 1 ? ']' : ' ');
                out.flush();
                Thread.sleep(interval.toMillis());
            }
        };
    }

    /**
     * 200 with a JSON array of {@code bytes} bytes, sent as fast as the client reads, with a Content-Length or
     * chunked (no length announced).
     */
    public static Answer oversized(long bytes, boolean chunked) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, chunked ? 0 : bytes);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) ' ');
            chunk[0] = '[';
            for (long sent = 0; sent < bytes; ) {
                int n = (int) Math.min(chunk.length, bytes - sent);
                if (sent + n == bytes) {
                    chunk[n - 1] = ']';
                }
                out.write(chunk, 0, n);
                chunk[0] = ' ';
                sent += n;
            }
        };
    }
}
