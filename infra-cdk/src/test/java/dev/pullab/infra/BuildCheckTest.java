package dev.pullab.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/** {@code cdk synth}/{@code deploy} refuse a build that is missing, stale, or made from installed snapshots. */
class BuildCheckTest {

    private static final Instant SOURCES = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant BUILT = Instant.parse("2026-12-01T11:00:00Z");

    @TempDir
    Path root;

    @BeforeEach
    void aCheckoutBuiltAfterItsSources() throws IOException {
        for (String source : List.of("pom.xml", "core/pom.xml", "core/src/main/java/dev/pullab/core/Job.java",
                "poller-function/pom.xml", "poller-function/src/main/java/P.java", "orchestrator-function/pom.xml",
                "orchestrator-function/src/main/java/O.java", "analyzer-function/pom.xml",
                "analyzer-function/src/main/java/A.java", "infra-cdk/pom.xml", "infra-cdk/src/main/java/S.java",
                "vm-tests/test-vm-client.sh", "vm-tests/basic-test/run.sh", "vm-tests/test/client.bats",
                "vm-tests/qemu-runner/qemu-runner.sh", "vm-tests/pom.xml")) {
            write(source, SOURCES);
        }
        for (BuildCheck.Artifact artifact : BuildCheck.ARTIFACTS) {
            write(artifact.path(), BUILT);
        }
        Files.writeString(root.resolve(BuildCheck.CLASSPATH_FILE),
                root.resolve("core/target/pullab-core-0.1.0-SNAPSHOT.jar") + ":/m2/software/amazon/awscdk/aws-cdk-lib.jar");
        Files.setLastModifiedTime(root.resolve(BuildCheck.CLASSPATH_FILE), FileTime.from(BUILT));
    }

    @Test
    @DisplayName("a checkout built after its last change passes")
    void freshBuildPasses() {
        assertThat(new BuildCheck(root).problems(List.of())).isEmpty();
    }

    @Test
    @DisplayName("a missing function jar is named, with the command that builds it")
    void missingJar() throws IOException {
        Files.delete(root.resolve("analyzer-function/target/analyzer-function.zip"));

        assertThat(new BuildCheck(root).problems(List.of())).singleElement().asString()
                .startsWith("analyzer-function/target/analyzer-function.zip is missing")
                .contains("`mvn -B -DskipTests package` in " + root.toAbsolutePath().normalize());
    }

    @Test
    @DisplayName("a core source changed after the build makes every artifact built from core stale, naming the file")
    void coreChangedAfterTheBuild() throws IOException {
        write("core/src/main/java/dev/pullab/core/Job.java", BUILT.plusSeconds(60));

        assertThat(new BuildCheck(root).problems(List.of())).hasSize(4).allSatisfy(problem -> assertThat(problem)
                .contains("is older than core/src/main/java/dev/pullab/core/Job.java (changed 2026-12-01 11:01:00 UTC)")
                .contains("(built 2026-12-01 11:00:00 UTC)"));
    }

    @Test
    @DisplayName("a changed VM test makes only the orchestrator jar stale; bats tests and the QEMU runner do not")
    void vmTestsGoIntoTheOrchestratorJarOnly() throws IOException {
        write("vm-tests/test/client.bats", BUILT.plusSeconds(60));
        write("vm-tests/qemu-runner/qemu-runner.sh", BUILT.plusSeconds(60));
        assertThat(new BuildCheck(root).problems(List.of())).isEmpty();

        write("vm-tests/basic-test/run.sh", BUILT.plusSeconds(60));
        assertThat(new BuildCheck(root).problems(List.of())).singleElement().asString()
                .startsWith("orchestrator-function/target/orchestrator-function.zip (built")
                .contains("older than vm-tests/basic-test/run.sh");
    }

    @Test
    @DisplayName("a changed stack source makes the app's classes stale, not the function jars")
    void stackChanged() throws IOException {
        write("infra-cdk/src/main/java/S.java", BUILT.plusSeconds(1));

        assertThat(new BuildCheck(root).problems(List.of())).singleElement().asString()
                .startsWith(BuildCheck.CLASSPATH_FILE + " (built");
    }

    @Test
    @DisplayName("an app classpath that takes pullab-core from a Maven repository is refused")
    void installedSnapshotRefused() throws IOException {
        Files.writeString(root.resolve(BuildCheck.CLASSPATH_FILE),
                "/root/.m2/repository/dev/pullab/pullab-core/0.1.0-SNAPSHOT/pullab-core-0.1.0-SNAPSHOT.jar");
        Files.setLastModifiedTime(root.resolve(BuildCheck.CLASSPATH_FILE), FileTime.from(BUILT));

        assertThat(new BuildCheck(root).problems(List.of())).singleElement().asString()
                .contains("/root/.m2/repository/dev/pullab/pullab-core/0.1.0-SNAPSHOT/pullab-core-0.1.0-SNAPSHOT.jar")
                .contains("an installed copy");
    }

    @Test
    @DisplayName("a jar the operator supplies with -c analyzerJar=... is not checked")
    void suppliedJarSkipped() throws IOException {
        Files.delete(root.resolve("analyzer-function/target/analyzer-function.zip"));
        App app = new App(AppProps.builder().context(Map.of("analyzerJar", "/elsewhere/analyzer.jar")).build());

        assertThat(PullabApp.checkBuild(app, root)).isEmpty();
        assertThat(PullabApp.checkBuild(new App(), root)).hasSize(1);
    }

    private void write(String relative, Instant time) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.writeString(file, relative);
        }
        Files.setLastModifiedTime(file, FileTime.from(time));
    }
}
