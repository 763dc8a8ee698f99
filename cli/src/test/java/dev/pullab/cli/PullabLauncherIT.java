package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./pullab} launcher as a user runs it: the class-data sharing archive it keeps in the user's cache is
 * only a speed-up, so with it, without it, on the run that writes it and with a damaged one, the command answers
 * the same on both streams.
 */
class PullabLauncherIT {

    private static final Path ROOT = Path.of(System.getProperty("pullab.examples.dir", "../examples"))
            .toAbsolutePath().getParent();
    private static final String EXAMPLE = ROOT.resolve("examples/run_unixbench-demo_20261124_120000").toString();

    @TempDir
    Path cache;

    @Test
    @DisplayName("the first run writes the archive into XDG_CACHE_HOME/pullab and answers as the next, which reads it")
    void givenEmptyCache_whenRunTwice_thenArchiveWrittenAndSameAnswer() throws Exception {
        Launched first = launch(Map.of("XDG_CACHE_HOME", cache.toString()), "analyze", "--input", EXAMPLE);
        List<Path> archives = archives();
        Launched second = launch(Map.of("XDG_CACHE_HOME", cache.toString()), "analyze", "--input", EXAMPLE);

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).contains("BENCHMARK REGRESSION ANALYSIS", "Test: unixbench-kernel-regression");
        assertThat(archives).singleElement().satisfies(archive -> {
            assertThat(archive.getFileName().toString()).matches("pullab-[0-9]+-[0-9]+-analyze\\.jsa");
            assertThat(Files.size(archive)).isPositive();
        });
        assertThat(second).isEqualTo(first);
        assertThat(archives()).isEqualTo(archives);
    }

    @Test
    @DisplayName("each command gets an archive of its own, help and version requests one together")
    void givenHelpFirst_whenAnalyzeRuns_thenArchivePerCommand() throws Exception {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());

        Launched version = launch(env, "--version");
        Launched help = launch(env, "analyze", "--help");
        List<String> afterHelp = archiveNames();
        Launched analyze = launch(env, "--log-level", "warn", "analyze", "--input", EXAMPLE);
        List<String> afterAnalyze = archiveNames();
        Launched unknown = launch(env, "no/such$command");

        assertThat(version.exitCode()).isZero();
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: pullab analyze");
        assertThat(afterHelp).containsExactly("pullab-*-help.jsa");
        assertThat(analyze.exitCode()).isZero();
        assertThat(afterAnalyze).containsExactly("pullab-*-analyze.jsa", "pullab-*-help.jsa");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(archiveNames()).containsExactly("pullab-*-analyze.jsa", "pullab-*-help.jsa",
                "pullab-*-other.jsa");
    }

    private List<String> archiveNames() throws Exception {
        return archives().stream()
                .map(archive -> archive.getFileName().toString().replaceAll("-[0-9]+-[0-9]+-", "-*-")).toList();
    }

    @Test
    @DisplayName("a rebuilt jar's first run of a command replaces that command's archive and leaves the others")
    void givenRebuiltJar_whenCommandRuns_thenItsStaleArchiveReplaced(@TempDir Path checkout) throws Exception {
        Files.createDirectories(checkout.resolve("cli/target"));
        Files.copy(ROOT.resolve("pullab"), checkout.resolve("pullab"), StandardCopyOption.COPY_ATTRIBUTES);
        Path jar = Files.copy(ROOT.resolve("cli/target/pullab.jar"), checkout.resolve("cli/target/pullab.jar"));
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        assertThat(launch(checkout, env, "analyze", "--input", EXAMPLE).exitCode()).isZero();
        Path built = archives().get(0);
        String name = built.getFileName().toString();
        Path run = Files.write(built.resolveSibling(name.replace("-analyze.jsa", "-run.jsa")), new byte[] {1});
        Path localRun = Files.write(built.resolveSibling(name.replace("-analyze.jsa", "-local-run.jsa")),
                new byte[] {1});

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertThat(launch(checkout, env, "analyze", "--input", EXAMPLE).exitCode()).isZero();

        assertThat(archives()).doesNotContain(built).contains(run, localRun).hasSize(3)
                .anySatisfy(archive -> assertThat(archive.getFileName().toString()).endsWith("-analyze.jsa"));
    }

    @Test
    @DisplayName("a damaged archive only makes the run slower: the same answer, not a word about the archive")
    void givenDamagedArchive_whenRun_thenSameAnswer() throws Exception {
        Launched reference = launch(Map.of("XDG_CACHE_HOME", cache.toString()), "analyze", "--input", EXAMPLE);
        Path archive = archives().get(0);
        byte[] noise = new byte[64 * 1024];
        new Random(23).nextBytes(noise);
        Files.write(archive, noise);

        Launched damaged = launch(Map.of("XDG_CACHE_HOME", cache.toString()), "analyze", "--input", EXAMPLE);

        assertThat(damaged).isEqualTo(reference);
    }

    @Test
    @DisplayName("PULLAB_CDS=off answers the same and writes nothing into the cache")
    void givenCdsOff_whenRun_thenSameAnswerAndNoArchive() throws Exception {
        Launched off = launch(Map.of("XDG_CACHE_HOME", cache.toString(), "PULLAB_CDS", "off"),
                "analyze", "--input", EXAMPLE);
        Launched on = launch(Map.of("XDG_CACHE_HOME", cache.resolve("other").toString()),
                "analyze", "--input", EXAMPLE);

        assertThat(off).isEqualTo(on);
        assertThat(archives()).isEmpty();
    }

    private List<Path> archives() throws Exception {
        Path dir = cache.resolve("pullab");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Exit code and both streams of one {@code ./pullab} run, with PATH and HOME only of the caller's environment. */
    record Launched(int exitCode, String out, String err) {
    }

    private Launched launch(Map<String, String> env, String... args) throws Exception {
        return launch(ROOT, env, args);
    }

    /** {@code pullab} of the checkout at {@code root} (its cli/target/pullab.jar). */
    private Launched launch(Path root, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(root.resolve("pullab").toString()),
                Stream.of(args)).toList()).directory(cache.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().retainAll(List.of("PATH", "HOME", "JAVA_HOME"));
        environment.putAll(env);
        Path out = Files.createTempFile(cache, "stdout", ".txt");
        Path err = Files.createTempFile(cache, "stderr", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("./pullab finished").isTrue();
        Launched launched = new Launched(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return launched;
    }
}
