package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URISyntaxException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("VmTestBundle: the vm-tests bundled on the class path")
class VmTestBundleTest {

    private static final VmTestBundle BUNDLED = VmTestBundle.fromClasspath();

    @TempDir
    Path temp;

    @Test
    void givenClasspath_whenListingNames_thenTheBundledTestsAreThereSorted() {
        assertThat(BUNDLED.names())
                .contains("basic-test", "example-kernel-reboot-test", "kernelci-boot", "unixbench-kernel-regression")
                .isSorted();
    }

    @Test
    @DisplayName("pullab_cloud's url-kernel-boot, ltp, kvm-unit-tests and simple-source-reboot are bundled with lib/")
    void givenClasspath_whenListingNames_thenPullabCloudsSeedTestsAreBundled() {
        assertThat(BUNDLED.names()).contains("url-kernel-boot", "ltp", "kvm-unit-tests", "simple-source-reboot");
        assertThat(BUNDLED.files("url-kernel-boot")).containsKeys("run-01-install-kernel.sh", "run-02-check-boot.sh",
                "common_lib.sh", "lib/kernelci.sh", "README.md");
        assertThat(BUNDLED.files("ltp")).containsKeys("run.sh", "common_lib.sh", "lib/kernelci.sh", "README.md");
        assertThat(BUNDLED.files("kvm-unit-tests")).containsKeys("run-01-install-kernel.sh",
                "run-02-kvm-unit-tests.sh", "lib/kvm_unit_tests.sh", "lib/kernel_rpm.sh", "README.md");
        assertThat(BUNDLED.files("simple-source-reboot")).containsKeys("run-01-build-kernel.sh",
                "run-02-check-kernel.sh", "lib/kernel_rpm.sh", "README.md");
    }

    @Test
    @DisplayName("kvm-unit-tests asks for the run's kernel RPMs, simple-source-reboot for its source RPMs")
    void givenSeedTests_whenReadingExternalRequirements_thenTheyNeedWhatPullabCloudsDid() {
        assertThat(BUNDLED.requiredFolders("kvm-unit-tests")).containsExactly("kernel-rpms/binary");
        assertThat(BUNDLED.requiredFolders("simple-source-reboot")).containsExactly("kernel-rpms/src");
        assertThat(BUNDLED.requiredFolders("url-kernel-boot")).isEmpty();
        assertThat(BUNDLED.requiredFolders("ltp")).isEmpty();
    }

    @Test
    void givenSharedLibDirectoryWithoutStages_whenListingNames_thenItIsNotATest() {
        assertThat(BUNDLED.has("lib")).isFalse();
        assertThat(BUNDLED.names()).doesNotContain("lib");
    }

    @Test
    void givenClasspath_whenReadingClient_thenItIsTheBundledTestVmClientScriptWithItsLibInlined() throws IOException {
        String source = new String(resource("vm-tests/test-vm-client.sh"), StandardCharsets.UTF_8);
        String lib = new String(resource("vm-tests/lib/client_common.sh"), StandardCharsets.UTF_8);
        String sourceLine = "source \"$(dirname \"$SELF\")/lib/client_common.sh\"\n";
        assertThat(source).contains(sourceLine);

        assertThat(new String(BUNDLED.client(), StandardCharsets.UTF_8)).isEqualTo(source.replace(sourceLine,
                "# ---- lib/client_common.sh, inlined by the orchestrator\n" + lib
                        + "# ---- end of lib/client_common.sh\n"));
    }

    @Test
    void givenBundledClient_whenRunAloneWithoutLib_thenItsSharedFunctionsWork() throws Exception {
        Path alone = temp.resolve("alone/test-vm-client.sh");
        Files.createDirectories(alone.getParent());
        Files.write(alone, BUNDLED.client());

        Process help = new ProcessBuilder("bash", alone.toString(), "--help").redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(help.waitFor()).as(output).isZero();
        assertThat(output).startsWith("pullab test VM client: runs one stage").contains("test-vm-client.sh install");
    }

    @Test
    void givenClientSourcingLibFiles_whenLoading_thenEachIsInlinedAndTheRestKept() throws IOException {
        Path root = tree();
        Files.createDirectories(root.resolve("lib"));
        Files.writeString(root.resolve("lib/a.sh"), "a() { :; }\n");
        Files.writeString(root.resolve("lib/b.sh"), "b() { :; }");
        Files.writeString(root.resolve("test-vm-client.sh"), "#!/bin/bash\nsource \"$(dirname \"$SELF\")/lib/a.sh\"\n"
                + "x=1\nsource \"$(dirname \"$SELF\")/lib/b.sh\"\nsource lib/c.sh\n");

        assertThat(new String(VmTestBundle.fromDirectory(root).client(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/bash\n"
                + "# ---- lib/a.sh, inlined by the orchestrator\na() { :; }\n# ---- end of lib/a.sh\n"
                + "x=1\n"
                + "# ---- lib/b.sh, inlined by the orchestrator\nb() { :; }\n# ---- end of lib/b.sh\n"
                + "source lib/c.sh\n");
    }

    @Test
    void givenClientSourcingNoLibFile_whenLoading_thenItIsReadAsIs() throws IOException {
        Path root = tree();

        assertThat(VmTestBundle.fromDirectory(root).client()).isEqualTo("#!/bin/bash\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void givenClientSourcingAMissingLibFile_whenLoading_thenIllegalStateNamesIt() throws IOException {
        Path root = tree();
        Files.writeString(root.resolve("test-vm-client.sh"),
                "#!/bin/bash\nsource \"$(dirname \"$SELF\")/lib/gone.sh\"\n");

        assertThatThrownBy(() -> VmTestBundle.fromDirectory(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lib/gone.sh");
    }

    @Test
    void givenTestNeedingKernelRpms_whenReadingRequiredFolders_thenOnlyTheTrueOnesAreListed() {
        assertThat(BUNDLED.requiredFolders("example-kernel-reboot-test")).containsExactly("kernel-rpms/binary");
    }

    @Test
    @DisplayName("pgbench-kernel-regression is bundled with its three stages, the shared lib/ files and kernel RPMs")
    void givenPgbenchRegressionTest_whenBundled_thenStagesLibAndRequirementsAreThere() {
        assertThat(BUNDLED.names()).contains("pgbench-kernel-regression");
        assertThat(BUNDLED.files("pgbench-kernel-regression")).containsKeys("run-01-install-base-kernel.sh",
                "run-02-bench-base-install-tip.sh", "run-03-bench-tip.sh", "common_lib.sh", "dependencies.txt",
                "lib/pgbench.sh", "lib/kernel_rpm.sh", "lib/test_lib.sh", "lib/pgbench-sample-readwrite-tip.txt");
        assertThat(BUNDLED.requiredFolders("pgbench-kernel-regression")).containsExactly("kernel-rpms/binary");
    }

    @Test
    void givenEveryBundledTest_whenReadingRequiredFolders_thenEachParses() {
        assertThat(BUNDLED.names()).allSatisfy(test -> assertThat(BUNDLED.requiredFolders(test)).isNotNull());
    }

    @Test
    void givenTestWithoutRequirementsFile_whenReadingRequiredFolders_thenNone() throws IOException {
        Path root = tree();

        assertThat(VmTestBundle.fromDirectory(root).requiredFolders("plain")).isEmpty();
    }

    @Test
    @DisplayName("a bundled test breaking the rules (here a non-boolean requirement) fails the load, naming it")
    void givenRequirementsWithNonBooleanValue_whenLoading_thenIllegalStateNamesTheTestAndTheFile() throws IOException {
        Path root = tree();
        Files.writeString(root.resolve("plain/external_requirements.json"), "{\"kernel-rpms/binary\": \"yes\"}");

        assertThatThrownBy(() -> VmTestBundle.fromDirectory(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bundled vm-test plain")
                .hasMessageContaining("external_requirements.json: \"kernel-rpms/binary\" must be true or false");
    }

    @Test
    @DisplayName("the shared lib/ is offered as a test directory holds it, for tests of the storage bucket")
    void givenBundle_whenReadingLib_thenItsFilesAreKeyedUnderLib() throws IOException {
        byte[] testLib = resource("vm-tests/lib/test_lib.sh");

        assertThat(BUNDLED.lib()).containsKeys("lib/test_lib.sh", "lib/kernelci.sh")
                .hasEntrySatisfying("lib/test_lib.sh", content -> assertThat(content).isEqualTo(testLib));
    }

    @Test
    void givenBasicTest_whenWalkingItsFiles_thenLibSubdirectoryIsIncludedWithSlashPaths() throws IOException {
        byte[] lib = resource("vm-tests/lib/test_lib.sh");

        assertThat(BUNDLED.files("basic-test"))
                .containsKeys("run.sh", "external_requirements.json", "lib/test_lib.sh")
                .hasEntrySatisfying("lib/test_lib.sh", content -> assertThat(content).isEqualTo(lib));
    }

    @Test
    void givenDirectoryTreeWithSymlinkedLib_whenLoading_thenLinksAreFollowed() throws IOException {
        Path root = tree();
        Files.createDirectories(root.resolve("lib"));
        Files.writeString(root.resolve("lib/helpers.sh"), "helpers() { :; }\n");
        Files.createSymbolicLink(root.resolve("plain/lib"), Path.of("../lib"));

        assertThat(VmTestBundle.fromDirectory(root).files("plain"))
                .hasEntrySatisfying("lib/helpers.sh", content -> assertThat(new String(content, StandardCharsets.UTF_8))
                        .isEqualTo("helpers() { :; }\n"));
    }

    @Test
    void givenSourceTreeWithBatsTestDirectory_whenLoading_thenTestDirectoryIsNoTest() throws IOException {
        Path root = tree();
        Files.createDirectories(root.resolve("test"));
        Files.writeString(root.resolve("test/run-tests.sh"), "bats .\n");

        assertThat(VmTestBundle.fromDirectory(root).names()).containsExactly("plain");
    }

    @Test
    void givenUnknownTest_whenWalkingItsFiles_thenIllegalArgumentNamesTheKnownTests() {
        assertThatThrownBy(() -> BUNDLED.files("no-such-test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-test")
                .hasMessageContaining("basic-test")
                .hasMessageContaining("kernelci-boot");
    }

    @Test
    void givenVmTestsInsideAJar_whenLoadingFromClasspath_thenTheSameTestsAndFilesAreRead() throws Exception {
        Path jar = jarOfBundledTests();

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            VmTestBundle fromJar = VmTestBundle.fromClasspath(loader);

            assertThat(fromJar.origin()).contains(".jar!/");
            assertThat(fromJar.names()).isEqualTo(BUNDLED.names());
            assertThat(fromJar.files("basic-test")).containsOnlyKeys(BUNDLED.files("basic-test").keySet());
            assertThat(fromJar.client()).isEqualTo(BUNDLED.client());
        }
    }

    @Test
    void givenClasspathWithoutVmTests_whenLoading_thenIllegalStateSaysSo() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThatThrownBy(() -> VmTestBundle.fromClasspath(empty))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("vm-tests/test-vm-client.sh is not on the class path");
        }
    }

    /** A minimal vm-tests tree: the client and one test {@code plain} with a {@code run.sh}. */
    private Path tree() throws IOException {
        Path root = temp.resolve("vm-tests");
        Files.createDirectories(root.resolve("plain"));
        Files.writeString(root.resolve("test-vm-client.sh"), "#!/bin/bash\n");
        Files.writeString(root.resolve("plain/run.sh"), "#!/bin/bash\nexit 0\n");
        return root;
    }

    /** A jar holding the class path's vm-tests/ as file entries only (no directory entries). */
    private Path jarOfBundledTests() throws IOException, URISyntaxException {
        Path source = Path.of(VmTestBundleTest.class.getClassLoader().getResource("vm-tests/test-vm-client.sh").toURI())
                .getParent();
        Path jar = temp.resolve("function with space.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
                Stream<Path> walk = Files.walk(source)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            for (Path file : files) {
                String name = "vm-tests/" + source.relativize(file).toString().replace('\\', '/');
                zip.putNextEntry(new JarEntry(name));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VmTestBundleTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
