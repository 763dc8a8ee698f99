package dev.pullab.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redirects followed by {@link RetryingHttp} itself: every hop checked, credentials kept to their origin. */
class RetryingHttpRedirectTest {

    private final RetryingHttp http = new RetryingHttp("test", new RetryPolicy(1, Duration.ofMillis(1),
            Duration.ofMillis(1), Duration.ofSeconds(5)));
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    /** "<server port> <path> <Authorization or -> <Cookie or ->" per request. */
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    /**
     * A loopback server: {@code /to?<url>} redirects with {@code status} to url, {@code /loop} to itself, anything
     * else answers "ok".
     */
    private URI server(int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                seen.add(server.getAddress().getPort() + " " + exchange.getRequestURI().getPath() + " "
                        + Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("-") + " "
                        + Optional.ofNullable(exchange.getRequestHeaders().getFirst("Cookie")).orElse("-"));
                if (exchange.getRequestURI().getPath().equals("/loop")) {
                    exchange.getResponseHeaders().set("Location", "/loop");
                    exchange.sendResponseHeaders(status, -1);
                    return;
                }
                if (exchange.getRequestURI().getPath().equals("/to")) {
                    exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getRawQuery());
                    exchange.sendResponseHeaders(status, -1);
                    return;
                }
                byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
            }
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private HttpRequest.Builder withCredentials(URI uri) {
        return HttpRequest.newBuilder(uri).GET().header("Authorization", "Bearer s3cret").header("Cookie", "c=1");
    }

    @Test
    @DisplayName("a redirect to another origin is followed without Authorization and Cookie")
    void credentialsStayWithTheirOrigin() throws IOException {
        URI first = server(302);
        URI other = server(302);

        String body = http.send(withCredentials(URI.create(first + "/to?" + other + "/landing"))).body();

        assertThat(body).isEqualTo("ok");
        assertThat(seen).containsExactly(first.getPort() + " /to Bearer s3cret c=1", other.getPort() + " /landing - -");
    }

    @Test
    @DisplayName("a redirect within the origin keeps the credentials")
    void sameOriginKeepsCredentials() throws IOException {
        URI first = server(307);

        http.send(withCredentials(URI.create(first + "/to?/landing")));

        assertThat(seen).containsExactly(first.getPort() + " /to Bearer s3cret c=1",
                first.getPort() + " /landing Bearer s3cret c=1");
    }

    @Test
    @DisplayName("a redirect target the policy refuses is not requested, and the error names it and why")
    void policyAppliesToEveryHop() throws IOException {
        URI first = server(301);
        URI other = server(301);

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(first + "/to?" + other + "/x")).GET(),
                java.net.http.HttpResponse.BodyHandlers.ofString(), b -> b,
                target -> target.getPort() == first.getPort() ? Optional.empty() : Optional.of("host not allowed")))
                .isInstanceOf(HttpCallException.class)
                .hasMessageContaining("was redirected to " + other + "/x: refused, host not allowed");
        assertThat(seen).hasSize(1);
    }

    @Test
    @DisplayName("a redirect loop ends after " + RetryingHttp.MAX_REDIRECTS + " hops with a clear error")
    void redirectLoop() throws IOException {
        URI first = server(302);

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(first + "/loop")).GET()))
                .isInstanceOf(HttpCallException.class).hasMessageContaining("redirected more than 5 times");
        assertThat(seen).hasSize(RetryingHttp.MAX_REDIRECTS + 1);
    }

    @Test
    @DisplayName("a redirect to another scheme than http(s) is refused")
    void fileSchemeRefused() throws IOException {
        URI first = server(302);

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(first + "/to?file:///etc/passwd")).GET()))
                .isInstanceOf(HttpCallException.class).hasMessageContaining("refused, not http(s)");
    }
}
