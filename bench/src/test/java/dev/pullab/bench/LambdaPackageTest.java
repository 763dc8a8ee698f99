package dev.pullab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment packages the reactor built before this module's tests ({@code build/LambdaPackage.java}): what
 * Lambda's Java runtime needs from a zip, and what the CDK stack's handlers name.
 */
@DisplayName("function deployment packages (target/<function>.zip)")
class LambdaPackageTest {

    /** The handler classes of each function module, as infra-cdk's PullabStack names them. */
    private static final Map<String, List<String>> HANDLERS = Map.of(
            "poller-function", List.of("dev/pullab/poller/PollHandler.class"),
            "orchestrator-function", List.of("dev/pullab/orchestrator/JobsQueueHandler.class",
                    "dev/pullab/orchestrator/TriggerHandler.class"),
            "analyzer-function", List.of("dev/pullab/analyzer/close/ResultsQueueHandler.class",
                    "dev/pullab/analyzer/close/SweepHandler.class", "dev/pullab/analyzer/AnalyzeRunHandler.class"));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"poller-function", "orchestrator-function", "analyzer-function"})
    @DisplayName("is under 40 MB and holds only lib/<function>.jar, the jar beside it, every entry stored, with the"
            + " handlers and the org.crac hooks")
    void packageLayout(String module) throws IOException {
        Path target = ColdStartBench.findRoot().resolve(module).resolve("target");
        Path zip = target.resolve(module + ".zip");
        Path jar = target.resolve(module + ".jar");

        assertThat(Files.size(zip)).isLessThan(40_000_000L);
        try (ZipFile outer = new ZipFile(zip.toFile())) {
            assertThat(outer.stream().map(ZipEntry::getName)).containsExactly("lib/", "lib/" + module + ".jar");
            ZipEntry inner = outer.getEntry("lib/" + module + ".jar");
            assertThat(inner.getSize()).isEqualTo(Files.size(jar));
            try (InputStream packaged = outer.getInputStream(inner); InputStream built = Files.newInputStream(jar)) {
                assertThat(packaged).hasSameContentAs(built);
            }
        }
        try (ZipFile inner = new ZipFile(jar.toFile())) {
            assertThat(inner.stream()).allSatisfy(e -> assertThat(e.getMethod()).as(e.getName())
                    .isEqualTo(ZipEntry.STORED));
            assertThat(inner.stream().map(ZipEntry::getName)).contains(HANDLERS.get(module).toArray(String[]::new))
                    .contains("org/crac/Resource.class", "dev/pullab/aws/SnapStartHooks.class");
        }
        try (ZipInputStream stream = new ZipInputStream(Files.newInputStream(jar))) {
            assertThat(stream.getNextEntry().getName()).as("first entry, for JarInputStream readers")
                    .isIn("META-INF/", "META-INF/MANIFEST.MF");
        }
    }
}
