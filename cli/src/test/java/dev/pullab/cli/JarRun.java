package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the shaded {@code pullab.jar} in its own JVM, with a clean environment (no AWS, KernelCI or pullab
 * variables inherited) plus {@code env} ({@code NAME=value} entries).
 */
record JarRun(int exitCode, String out, String err) {

    static final Path JAR = Path.of(System.getProperty("pullab.jar", "target/pullab.jar"));

    static JarRun run(Path workDir, List<String> env, String... args) throws Exception {
        return run(workDir, java.time.Duration.ofSeconds(120), env, args);
    }

    static JarRun run(Path workDir, java.time.Duration timeout, List<String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("KERNELCI_")
                || k.startsWith("PULLAB_") || k.startsWith("KCIDB_") || k.equals("UNIFIED_TOKEN"));
        env.forEach(kv -> builder.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
        Path out = workDir.resolve("stdout-" + System.nanoTime());
        Path err = workDir.resolve("stderr-" + System.nanoTime());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as("pullab finished").isTrue();
        return new JarRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
