package dev.pullab.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;

/** Serves files from a map (path → bytes) on a free 127.0.0.1 port: job definitions and artifacts for tests. */
public final class StaticFileServer {

    private StaticFileServer() {
    }

    /** Started; 404 for a path the map does not hold (the map is read at each request, so it may still grow). */
    public static HttpServer start(Map<String, byte[]> files) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = files.get(exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
                if (body != null) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
