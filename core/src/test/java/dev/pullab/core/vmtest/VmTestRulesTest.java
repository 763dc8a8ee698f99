package dev.pullab.core.vmtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("VmTestRules: what a vm-test must be to run, wherever it comes from")
class VmTestRulesTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> test(String... pathsAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put(pathsAndContents[i], bytes(pathsAndContents[i + 1]));
        }
        return files;
    }

    @Test
    @DisplayName("a test with a stage, a lib/ and a valid external_requirements.json has no problem")
    void givenWellFormedTest_whenChecked_thenNoProblem() {
        assertThat(VmTestRules.problems("my-test", test("run-01-a.sh", "true", "lib/test_lib.sh", "",
                "external_requirements.json", "{\"kernel-rpms/binary\": true, \"other\": false}"))).isEmpty();
    }

    @Test
    @DisplayName("external_requirements.json is optional")
    void givenNoRequirementsFile_whenChecked_thenNoProblem() {
        assertThat(VmTestRules.problems("my-test", test("run.sh", "true"))).isEmpty();
    }

    @Test
    @DisplayName("a test without run.sh or run*.sh at its top is refused")
    void givenNoStage_whenChecked_thenRefused() {
        assertThat(VmTestRules.problems("my-test", test("sub/run.sh", "true", "start.sh", "true")))
                .singleElement().asString().contains("my-test has no run.sh or run*.sh");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[]", "{\"rpms\": \"yes\"}", "{\"../rpms\": true}", "{\"\": true}"})
    @DisplayName("an external_requirements.json that is not an object of folder → boolean is refused")
    void givenBadRequirements_whenChecked_thenRefusedNamingTheFile(String json) {
        assertThat(VmTestRules.problems("my-test", test("run.sh", "", "external_requirements.json", json)))
                .singleElement().asString().contains("my-test: external_requirements.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../run.sh", "lib/../../x", "/etc/passwd", "a//b", "lib/", "a b", "a\\b", "./x", "x\n"})
    @DisplayName("a path that could leave the test directory or is not plain is refused")
    void givenUnsafePath_whenChecked_thenRefused(String path) {
        assertThat(VmTestRules.problems("my-test", test("run.sh", "", path, "")))
                .singleElement().asString().startsWith("test my-test: file '");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "", "-x", "a/b", "a b",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    @DisplayName("a test name that is not plain is refused")
    void givenBadName_whenChecked_thenRefused(String name) {
        assertThat(VmTestRules.nameProblems(name)).hasSize(1);
    }

    @Test
    @DisplayName("more than MAX_FILES files are refused")
    void givenTooManyFiles_whenChecked_thenRefused() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("run.sh", 1L);
        for (int i = 0; i < VmTestRules.MAX_FILES; i++) {
            sizes.put("data/f" + i, 1L);
        }
        assertThat(VmTestRules.layoutProblems("big", sizes)).singleElement().asString()
                .contains("has " + (VmTestRules.MAX_FILES + 1) + " files, more than the " + VmTestRules.MAX_FILES);
    }

    @Test
    @DisplayName("more than MAX_BYTES in all are refused, from the sizes alone")
    void givenTooManyBytes_whenChecked_thenRefused() {
        assertThat(VmTestRules.layoutProblems("big", Map.of("run.sh", 1L, "data", VmTestRules.MAX_BYTES)))
                .singleElement().asString().contains("more than the " + VmTestRules.MAX_BYTES);
    }

    @Test
    @DisplayName("the required folders are the ones marked true, trailing slashes removed")
    void givenRequirements_whenFoldersRead_thenTrueOnesNormalised() {
        assertThat(VmTestRules.requiredFolders("t", bytes("{\"kernel-rpms/binary/\": true, \"x\": false}")))
                .containsExactly("kernel-rpms/binary");
    }

    @Test
    @DisplayName("reading the folders of an invalid file names its problem")
    void givenInvalidRequirements_whenFoldersRead_thenIllegalArgument() {
        assertThatThrownBy(() -> VmTestRules.requiredFolders("t", bytes("{\"a\": 1}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a\" must be true or false");
    }
}
