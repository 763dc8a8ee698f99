package dev.pullab.testkit;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Which AWS emulator a JVM uses, strongest first: the endpoint named by {@code AWS_ENDPOINT_URL}; else LocalStack in
 * a container (Testcontainers) when a Docker engine answers; else a {@code moto_server} child process. Each step
 * that is skipped says why, and {@link AwsEmulator#toString()} carries the choice into every log that names it.
 */
final class EmulatorChoice {

    /** Forces one emulator: {@code localstack} or {@code moto} (default: the strongest available). */
    static final String CHOICE_VARIABLE = "PULLAB_AWS_EMULATOR";

    /** The LocalStack image, overridable with {@code PULLAB_LOCALSTACK_IMAGE}. */
    static final String LOCALSTACK_IMAGE = "localstack/localstack:4.4";

    private static final String NO_TESTCONTAINERS = "Testcontainers is not on the class path";
    private static final String TESTCONTAINERS_CLASS = "org.testcontainers.localstack.LocalStackContainer";

    /** A started emulator: where it answers and a one-line description of what it is and why. */
    record Started(URI endpoint, String description) {
    }

    private EmulatorChoice() {
    }

    static Started start() {
        String configured = System.getenv(AwsEmulator.ENDPOINT_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return new Started(URI.create(configured.trim()), "emulator from " + AwsEmulator.ENDPOINT_VARIABLE);
        }
        String forced = Optional.ofNullable(System.getenv(CHOICE_VARIABLE)).orElse("").trim().toLowerCase(Locale.ROOT);
        Optional<String> noLocalStack = forced.equals("moto")
                ? Optional.of(CHOICE_VARIABLE + "=moto")
                : localStackUnavailable();
        if (noLocalStack.isEmpty()) {
            String image = Optional.ofNullable(System.getenv("PULLAB_LOCALSTACK_IMAGE")).filter(i -> !i.isBlank())
                    .orElse(LOCALSTACK_IMAGE);
            return new Started(LocalStackEmulator.start(image), "LocalStack (" + image + ", Testcontainers)");
        }
        if (forced.equals("localstack")) {
            throw new IllegalStateException(CHOICE_VARIABLE + "=localstack, but LocalStack cannot start: "
                    + noLocalStack.get());
        }
        // the CLI never carries Testcontainers: no reason to give there
        String why = noLocalStack.get().equals(NO_TESTCONTAINERS) ? "" : " (LocalStack not used: " + noLocalStack.get() + ")";
        return new Started(MotoServer.start(), "moto_server" + why);
    }

    /** Why LocalStack cannot be used here; empty when it can. */
    static Optional<String> localStackUnavailable() {
        if (!onClassPath(TESTCONTAINERS_CLASS)) {
            return Optional.of(NO_TESTCONTAINERS);
        }
        Optional<String> noEngine = dockerEngineAbsent();
        if (noEngine.isPresent()) {
            return noEngine;
        }
        return LocalStackEmulator.dockerAnswers() ? Optional.empty()
                : Optional.of("no Docker engine answers (Testcontainers found none)");
    }

    /**
     * A cheap look for a Docker engine before Testcontainers' own probe (which logs errors and takes seconds when
     * there is none): {@code DOCKER_HOST}, a Testcontainers {@code docker.host} setting, or a Docker socket.
     */
    static Optional<String> dockerEngineAbsent() {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return Optional.empty();
        }
        String home = System.getProperty("user.home", "");
        for (Path candidate : new Path[] {Path.of("/var/run/docker.sock"), Path.of(home, ".docker/run/docker.sock"),
                Path.of(home, ".testcontainers.properties")}) {
            if (Files.exists(candidate)) {
                return Optional.empty();
            }
        }
        return Optional.of("no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)");
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, EmulatorChoice.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
