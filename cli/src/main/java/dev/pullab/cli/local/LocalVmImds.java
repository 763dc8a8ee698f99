package dev.pullab.cli.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for EC2's IMDSv2 for one simulated VM, on a free loopback port: {@code PUT /latest/api/token} (with the
 * {@code X-aws-ec2-metadata-token-ttl-seconds} header) hands out a token, and
 * {@code GET /latest/dynamic/instance-identity/document} with that token answers the instance identity document
 * (401 without it, 404 for other paths). The same behaviour as {@code vm-tests/test/imds_stub.py}.
 */
public final class LocalVmImds implements AutoCloseable {

    static final String TOKEN_PATH = "/latest/api/token";
    static final String DOCUMENT_PATH = "/latest/dynamic/instance-identity/document";

    private final HttpServer server;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final String document;

    private LocalVmImds(HttpServer server, String document) {
        this.server = server;
        this.document = document;
    }

    /**
     * Starts a stub for one instance.
     *
     * @param instanceId   e.g. {@code i-0123456789abcdef0}
     * @param instanceType e.g. {@code m5.large}
     * @param region       e.g. {@code us-east-1}
     * @param architecture {@code x86_64} or {@code arm64}
     */
    public static LocalVmImds start(String instanceId, String instanceType, String region, String architecture) {
        String document = "{\n"
                + "  \"accountId\" : \"000000000000\",\n"
                + "  \"architecture\" : \"" + json(architecture) + "\",\n"
                + "  \"availabilityZone\" : \"" + json(region) + "a\",\n"
                + "  \"imageId\" : \"ami-0123456789abcdef0\",\n"
                + "  \"instanceId\" : \"" + json(instanceId) + "\",\n"
                + "  \"instanceType\" : \"" + json(instanceType) + "\",\n"
                + "  \"privateIp\" : \"10.0.0.10\",\n"
                + "  \"region\" : \"" + json(region) + "\",\n"
                + "  \"version\" : \"2017-09-30\"\n"
                + "}";
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LocalVmImds imds = new LocalVmImds(server, document);
            server.createContext("/", imds::handle);
            server.start();
            return imds;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the IMDS stub for " + instanceId, e);
        }
    }

    /** Where the stub answers, e.g. {@code http://127.0.0.1:41234} (the client's {@code IMDS_ENDPOINT}). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The instance identity document served. */
    public String document() {
        return document;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("PUT".equals(method)) {
                if (!TOKEN_PATH.equals(path)
                        || exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                    send(exchange, 400, "bad token request", "text/plain");
                    return;
                }
                String token = UUID.randomUUID().toString().replace("-", "");
                tokens.add(token);
                send(exchange, 200, token, "text/plain");
                return;
            }
            String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            if (!"GET".equals(method) || token == null || !tokens.contains(token)) {
                send(exchange, 401, "", "text/plain");
            } else if (DOCUMENT_PATH.equals(path)) {
                send(exchange, 200, document, "application/json");
            } else {
                send(exchange, 404, "", "text/plain");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String json(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Stops the stub at once. */
    @Override
    public void close() {
        server.stop(0);
    }
}
