package dev.pullab.orchestrator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.run.VmTestSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PayloadBuilder: a test's payload zip")
class PayloadBuilderTest {

    private static final VmTestBundle TESTS = VmTestBundle.fromClasspath();
    private static final String TRICKY = "it's a \"test\" with  spaces $(touch pwned) `touch pwned2` ${HOME} \\ end";
    private static final Map<String, String> BOOT_PARAMS = Map.of(
            "PULLAB_KERNEL_URL", "https://storage.kernelci.org/next/bzImage",
            "PULLAB_JOB_NAME", "baseline-x86",
            "PULLAB_PLATFORM", "ec2-c6i-large",
            "PULLAB_DTB_URL", "");

    private final PayloadBuilder builder = new PayloadBuilder(TESTS);

    @TempDir
    Path temp;

    @Test
    void givenBasicTest_whenZipping_thenRootHoldsTheTestFilesWithLibAndTheClient() throws IOException {
        Map<String, byte[]> entries = unzip(builder.zip(VmTestSpec.of("basic-test")));

        List<String> expected = new ArrayList<>(TESTS.files("basic-test").keySet());
        expected.add(VmTestBundle.CLIENT);
        assertThat(entries).containsOnlyKeys(expected).containsKeys("run.sh", "lib/test_lib.sh");
    }

    @Test
    void givenBasicTest_whenZipping_thenEachEntryHasTheBundledContent() throws IOException {
        Map<String, byte[]> entries = unzip(builder.zip(VmTestSpec.of("basic-test")));

        TESTS.files("basic-test").forEach((path, content) -> assertThat(entries.get(path)).as(path).isEqualTo(content));
        assertThat(entries.get(VmTestBundle.CLIENT)).isEqualTo(TESTS.client());
    }

    @Test
    void givenTestWithoutParams_whenZipping_thenNoParamsFilesAreAdded() throws IOException {
        assertThat(unzip(builder.zip(VmTestSpec.of("basic-test"))))
                .doesNotContainKeys(PayloadBuilder.PARAMS_ENV, PayloadBuilder.PARAMS_JSON);
    }

    @Test
    void givenKernelciBootWithParams_whenZipping_thenParamsEnvHoldsSortedQuotedAssignments() throws IOException {
        Map<String, byte[]> entries = unzip(builder.zip(new VmTestSpec("kernelci-boot", BOOT_PARAMS)));

        assertThat(text(entries.get(PayloadBuilder.PARAMS_ENV))).isEqualTo(""
                + "PULLAB_DTB_URL=''\n"
                + "PULLAB_JOB_NAME='baseline-x86'\n"
                + "PULLAB_KERNEL_URL='https://storage.kernelci.org/next/bzImage'\n"
                + "PULLAB_PLATFORM='ec2-c6i-large'\n");
    }

    @Test
    void givenKernelciBootWithParams_whenZipping_thenParamsJsonHoldsTheSameMap() throws IOException {
        Map<String, byte[]> entries = unzip(builder.zip(new VmTestSpec("kernelci-boot", BOOT_PARAMS)));

        Map<String, String> json = new ObjectMapper().readValue(entries.get(PayloadBuilder.PARAMS_JSON),
                new TypeReference<Map<String, String>>() { });
        assertThat(json).isEqualTo(BOOT_PARAMS);
    }

    @Test
    void givenKernelciBootWithParams_whenZipping_thenTheTestFilesAndClientAreStillThere() throws IOException {
        Map<String, byte[]> entries = unzip(builder.zip(new VmTestSpec("kernelci-boot", BOOT_PARAMS)));

        assertThat(entries).containsKeys(VmTestBundle.CLIENT, "run-01-install-kernel.sh", "lib/kernelci.sh");
    }

    @Test
    void givenValueWithSingleQuote_whenWritingParamsEnv_thenTheQuoteIsEscapedAsCloseEscapeReopen() {
        assertThat(PayloadBuilder.paramsEnv(Map.of("PULLAB_X", "it's"))).isEqualTo("PULLAB_X='it'\\''s'\n");
    }

    @Test
    void givenValueWithQuoteSpacesAndCommandSubstitution_whenSourcedByBash_thenItIsVerbatimAndNothingRuns()
            throws Exception {
        assumeThat(Path.of("/bin/bash")).as("bash is needed to source params.env").exists();
        Map<String, byte[]> entries = unzip(builder.zip(new VmTestSpec("kernelci-boot",
                Map.of("PULLAB_X", TRICKY + "\nsecond line", "PULLAB_Y", "plain"))));
        Files.write(temp.resolve(PayloadBuilder.PARAMS_ENV), entries.get(PayloadBuilder.PARAMS_ENV));

        String printed = bash("set -u; . ./params.env; printf %s \"$PULLAB_X\"");

        assertThat(printed).isEqualTo(TRICKY + "\nsecond line");
        assertThat(temp.resolve("pwned")).doesNotExist();
        assertThat(temp.resolve("pwned2")).doesNotExist();
    }

    @Test
    void givenSameTestAndParams_whenZippingTwice_thenTheBytesAreIdentical() {
        VmTestSpec run = new VmTestSpec("kernelci-boot", BOOT_PARAMS);

        byte[] first = builder.zip(run);
        byte[] second = new PayloadBuilder(VmTestBundle.fromClasspath()).zip(new VmTestSpec("kernelci-boot",
                new LinkedHashMap<>(new TreeMap<>(BOOT_PARAMS).descendingMap())));

        assertThat(second).isEqualTo(first);
    }

    @Test
    void givenAnyPayload_whenZipping_thenEntriesAreSortedByPathWithOneFixedTimestamp() throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(builder.zip(
                new VmTestSpec("kernelci-boot", BOOT_PARAMS))))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                names.add(entry.getName());
                assertThat(entry.getTimeLocal()).as(entry.getName()).isEqualTo(LocalDateTime.of(1980, 1, 1, 0, 0));
            }
        }
        assertThat(names).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void givenPayload_whenReadWithPosixAttributes_thenShellScriptsAre0755AndOtherFiles0644() throws IOException {
        Path zipFile = temp.resolve("payload.zip");
        Files.write(zipFile, builder.zip(new VmTestSpec("kernelci-boot", BOOT_PARAMS)));

        try (FileSystem zip = FileSystems.newFileSystem(zipFile, Map.of("enablePosixFileAttributes", "true"))) {
            assertThat(mode(zip, "run-01-install-kernel.sh")).isEqualTo("rwxr-xr-x");
            assertThat(mode(zip, "lib/kernelci.sh")).isEqualTo("rwxr-xr-x");
            assertThat(mode(zip, VmTestBundle.CLIENT)).isEqualTo("rwxr-xr-x");
            assertThat(mode(zip, "external_requirements.json")).isEqualTo("rw-r--r--");
            assertThat(mode(zip, PayloadBuilder.PARAMS_ENV)).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void givenPayload_whenExtractedWithInfoZipUnzip_thenStagesAndLibScriptsAreExecutable() throws Exception {
        assumeThat(Path.of("/usr/bin/unzip")).as("Info-ZIP unzip, as on the VMs").exists();
        Path zipFile = temp.resolve("payload.zip");
        Files.write(zipFile, builder.zip(VmTestSpec.of("basic-test")));
        Path out = temp.resolve("out");

        Process unzip = new ProcessBuilder("/usr/bin/unzip", "-q", zipFile.toString(), "-d", out.toString())
                .redirectErrorStream(true).start();

        assertThat(unzip.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unzip.exitValue()).as(new String(unzip.getInputStream().readAllBytes())).isZero();
        assertThat(Files.getPosixFilePermissions(out.resolve("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(out.resolve("lib/test_lib.sh")))
                .contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(out.resolve("README.md")))
                .doesNotContain(PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void givenUnknownTest_whenZipping_thenIllegalArgumentNamesTheKnownTests() {
        assertThatThrownBy(() -> builder.zip(VmTestSpec.of("no-such-test")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-test")
                .hasMessageContaining("basic-test")
                .hasMessageContaining("kernelci-boot");
    }

    @Test
    void givenParamNameOutsidePullabNamespace_whenZipping_thenIllegalArgumentNamesIt() {
        assertThatThrownBy(() -> builder.zip(new VmTestSpec("kernelci-boot", Map.of("PATH", "/tmp"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'PATH'");
    }

    @Test
    void givenLowerCaseParamName_whenZipping_thenIllegalArgument() {
        assertThatThrownBy(() -> builder.zip(new VmTestSpec("kernelci-boot", Map.of("PULLAB_x", "1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PULLAB_x");
    }

    @Test
    void givenParamNameThatInjectsShell_whenWritingParamsEnv_thenIllegalArgument() {
        assertThatThrownBy(() -> PayloadBuilder.paramsEnv(Map.of("PULLAB_X=1; rm -rf / #", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenValueWithNulCharacter_whenWritingParamsEnv_thenIllegalArgument() {
        assertThatThrownBy(() -> PayloadBuilder.paramsEnv(Map.of("PULLAB_X", "a\0b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PULLAB_X");
    }

    private String bash(String script) throws Exception {
        Process process = new ProcessBuilder("/bin/bash", "-c", script).directory(temp.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(stderr).isZero();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String mode(FileSystem zip, String entry) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(zip.getPath(entry));
        return PosixFilePermissions.toString(permissions);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String text(byte[] content) {
        return new String(content, StandardCharsets.UTF_8);
    }
}
