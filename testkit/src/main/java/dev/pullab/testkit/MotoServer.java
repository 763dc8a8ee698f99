package dev.pullab.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code moto_server} child process on a free loopback port. */
final class MotoServer {
    private static final String COMMAND = "moto_server";
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    private MotoServer() {
    }

    static URI start() {
        int port = freePort();
        Path log = logFile();
        Process process;
        try {
            process = new ProcessBuilder(List.of(COMMAND, "-H", "127.0.0.1", "-p", Integer.toString(port)))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(COMMAND + " is not on the PATH (" + e.getMessage() + "): the "
                    + "integration tests need it or " + AwsEmulator.ENDPOINT_VARIABLE + "; .ci/run installs it with "
                    + "pip install 'moto[server]'", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, log), "moto-server-stop"));
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        awaitAnswer(process, endpoint, log);
        return endpoint;
    }

    private static void awaitAnswer(Process process, URI endpoint, Path log) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(COMMAND + " exited with code " + process.exitValue()
                        + " before answering; its output:\n" + tail(log));
            }
            if (answers(endpoint)) {
                return;
            }
            sleep(POLL);
        }
        stop(process, log);
        throw new IllegalStateException(COMMAND + " did not answer on " + endpoint + " within "
                + STARTUP.toSeconds() + " s; its output:\n" + tail(log));
    }

    private static boolean answers(URI endpoint) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL()
                    .openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() > 0;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(Process process, Path log) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover log in the temp dir is harmless
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static Path logFile() {
        try {
            return Files.createTempFile("pullab-moto-server-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + COMMAND, e);
        }
    }
}
