package dev.pullab.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Refuses to synthesize from a build that does not match the checkout: {@code cdk synth} and {@code cdk deploy} must
 * never upload function jars that are missing, older than the sources they are built from, or built against an
 * installed {@code dev.pullab} snapshot instead of this reactor's modules.
 *
 * <p>What is checked is what the reactor's {@code package} phase writes: the three function deployment packages
 * ({@code target/<module>.zip}, each the shaded jar under {@code lib/}; see {@code build/LambdaPackage.java}) and
 * {@code infra-cdk/target/cdk-app.classpath} (the app's runtime classpath, written after its classes are compiled).
 * Each must be newer than every file it is built from: the {@code src/main} trees and POMs of its modules and the
 * parent POM; the orchestrator's jar also carries {@code vm-tests/} (less its tests and the QEMU runner).
 */
final class BuildCheck {

    /** The command that brings every artifact up to date; stated once, in every message. */
    static final String BUILD_COMMAND = "mvn -B -DskipTests package";
    static final String CLASSPATH_FILE = "infra-cdk/target/cdk-app.classpath";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** An artifact of the reactor build, and what it is built from (paths relative to the checkout's root). */
    record Artifact(String path, List<String> modules) {
    }

    static final List<Artifact> ARTIFACTS = List.of(
            new Artifact("poller-function/target/poller-function.zip", List.of("core", "aws", "poller-function")),
            new Artifact("orchestrator-function/target/orchestrator-function.zip",
                    List.of("core", "aws", "orchestrator-function", "vm-tests")),
            new Artifact("analyzer-function/target/analyzer-function.zip", List.of("core", "aws", "analyzer-function")),
            new Artifact(CLASSPATH_FILE, List.of("core", "aws", "infra-cdk")));

    /** The CDK context keys that replace a function jar by a file of the operator's choice. */
    static final Map<String, String> JAR_CONTEXT_KEYS = Map.of(
            "pollerJar", "poller-function/target/poller-function.zip",
            "orchestratorJar", "orchestrator-function/target/orchestrator-function.zip",
            "analyzerJar", "analyzer-function/target/analyzer-function.zip");

    private final Path root;

    BuildCheck(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * The problems that make this build unfit to deploy, each naming the artifact and what to do; empty when fit.
     *
     * @param skipped artifact paths not to check (a function jar the operator supplied with {@code -c <key>Jar=...})
     */
    List<String> problems(List<String> skipped) {
        List<String> problems = new ArrayList<>();
        for (Artifact artifact : ARTIFACTS) {
            if (skipped.contains(artifact.path())) {
                continue;
            }
            Path built = root.resolve(artifact.path());
            if (!Files.isRegularFile(built)) {
                problems.add(artifact.path() + " is missing: build first with `" + BUILD_COMMAND + "` in " + root);
                continue;
            }
            FileTime builtAt = modified(built);
            newestSource(artifact).filter(source -> modified(source).compareTo(builtAt) > 0).ifPresent(source ->
                    problems.add(artifact.path() + " (built " + TIME.format(builtAt.toInstant()) + ") is older than "
                            + root.relativize(source) + " (changed " + TIME.format(modified(source).toInstant())
                            + "): rebuild with `" + BUILD_COMMAND + "` in " + root));
        }
        problems.addAll(installedSnapshots());
        return problems;
    }

    /** dev.pullab entries of the app's classpath that come from a Maven repository instead of this checkout. */
    private List<String> installedSnapshots() {
        Path classpath = root.resolve(CLASSPATH_FILE);
        if (!Files.isRegularFile(classpath)) {
            return List.of();
        }
        String entries;
        try {
            entries = Files.readString(classpath).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Stream.of(entries.split(java.io.File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith("pullab-"))
                .filter(entry -> !Path.of(entry).toAbsolutePath().normalize().startsWith(root))
                .map(entry -> CLASSPATH_FILE + " names " + entry + ", an installed copy, not this checkout's module:"
                        + " build from the top directory with `" + BUILD_COMMAND + "` in " + root)
                .toList();
    }

    private Optional<Path> newestSource(Artifact artifact) {
        List<Path> sources = new ArrayList<>();
        sources.add(root.resolve("pom.xml"));
        for (String module : artifact.modules()) {
            Path dir = root.resolve(module);
            if (module.equals("vm-tests")) {
                // as the orchestrator's <resources> take it: no tests, no build output, no QEMU runner, no POM
                sources.addAll(files(dir, path -> {
                    String relative = dir.relativize(path).toString();
                    return !relative.startsWith("test/") && !relative.startsWith("target/")
                            && !relative.startsWith("qemu-runner/") && !relative.equals("pom.xml");
                }));
            } else {
                sources.add(dir.resolve("pom.xml"));
                sources.addAll(files(dir.resolve("src/main"), path -> true));
            }
        }
        return sources.stream().filter(Files::isRegularFile).max(Comparator.comparing(BuildCheck::modified));
    }

    private static List<Path> files(Path dir, Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(keep).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
