package dev.pullab.core.job;

import static dev.pullab.core.job.JobFixtures.NOW;
import static dev.pullab.core.job.JobFixtures.SUFFIX;
import static dev.pullab.core.job.JobFixtures.bytes;
import static dev.pullab.core.job.JobFixtures.changed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.job.LabConfig.VmSpec;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.run.VmOptions;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("pullab_cloud's example configs: test_params, root_volume_size, nested virtualization, role_name")
class PullabCloudConfigTest {

    private static final String X86 = "pullab_cloud_config.json";
    private static final String ARM64 = "pullab_cloud_config_arm64.json";
    private static final String ALL_TESTS = "pullab_cloud_alltests_config.json";

    private static LabConfig parse(String fixture) {
        return LabConfig.parse(bytes(fixture));
    }

    private static VmSpec vm(LabConfig config, int index) {
        return config.testConfig().orElseThrow().vms().get(index);
    }

    private static ObjectNode vmNode(ObjectNode root, int index) {
        return (ObjectNode) root.get("test_config").get("vms").get(index);
    }

    private static LabConfig changedX86(Consumer<ObjectNode> change) {
        return LabConfig.parse(changed(X86, change));
    }

    private static String refusal(Consumer<ObjectNode> change) {
        return assertThatThrownBy(() -> changedX86(change)).isInstanceOf(IllegalArgumentException.class)
                .actual().getMessage();
    }

    @Nested
    @DisplayName("parsing")
    class Parsing {

        @Test
        @DisplayName("config.json: root_volume_size 40, nested virtualization on c8i, role_name")
        void x86() {
            LabConfig config = parse(X86);

            assertThat(config.testConfig().orElseThrow().roleName()).contains("kernel-ci-lab-role");
            assertThat(config.testConfig().orElseThrow().vms()).allSatisfy(vm -> {
                assertThat(vm.rootVolumeGiB()).hasValue(40);
                assertThat(vm.nestedVirtualization()).isTrue();
            });
            assertThat(vm(config, 2).tests()).containsExactly("kvm-unit-tests");
            assertThat(vm(config, 2).maxRuntimeS()).isEqualTo(5400);
        }

        @Test
        @DisplayName("test_params: keys upper-cased as pullab_cloud exported them, numbers and booleans as text")
        void testParams() {
            assertThat(vm(parse(X86), 1).testParams()).isEqualTo(Map.of(
                    "KERNEL_URL", "https://files.kernelci.org/kbuild-gcc-14-x86/bzImage",
                    "MODULES_URL", "https://files.kernelci.org/kbuild-gcc-14-x86/modules.tar.xz",
                    "BOOT_RETRIES", "2",
                    "KEEP_LOGS", "true"));
            assertThat(vm(parse(X86), 0).testParams()).isEmpty();
        }

        @Test
        @DisplayName("config-arm64.json: Graviton c7g has no nested virtualization, so it stays off")
        void arm64() {
            LabConfig config = parse(ARM64);

            assertThat(vm(config, 0).arch()).isEqualTo("arm64");
            assertThat(vm(config, 0).nestedVirtualization()).isFalse();
            assertThat(vm(config, 0).rootVolumeGiB()).hasValue(40);
        }

        @Test
        @DisplayName("alltests-config.json: eight vms entries, one test each")
        void allTests() {
            assertThat(parse(ALL_TESTS).testConfig().orElseThrow().vms()).hasSize(8)
                    .allSatisfy(vm -> assertThat(vm.tests()).hasSize(1));
        }

        @Test
        @DisplayName("every key of the example configs is used or warned about by name")
        void warnings() {
            assertThat(parse(X86).warnings()).containsExactly("provider, region, storage, external_storage,"
                    + " force_recreate_roles, auth_credentials, roles, ecr, docker, ecs, cloudwatch: not used by this"
                    + " lab (pullab_cloud's setup sections: the pullab stack provides the region, buckets, roles,"
                    + " cluster and logs; see infra-cdk/README.md)");
            assertThat(parse(ARM64).warnings()).hasSize(1);
            assertThat(parse(ALL_TESTS).warnings()).hasSize(1);
        }

        @Test
        @DisplayName("an unknown key of a vms entry or of test_config is a warning naming its path")
        void unknownKeys() {
            LabConfig config = changedX86(root -> {
                vmNode(root, 1).put("spot", true);
                ((ObjectNode) root.get("test_config")).put("owner", "lab");
                root.put("colour", "blue");
            });

            assertThat(config.warnings()).contains("colour: unknown key, ignored")
                    .anySatisfy(w -> assertThat(w).startsWith("test_config.owner: unknown key, ignored (known:"))
                    .anySatisfy(w -> assertThat(w).startsWith("test_config.vms[1].spot: unknown key, ignored"
                            + " (known: ami_id, instance_type, max_runtime, min_count, nested_virtualization,"));
        }

        @Test
        @DisplayName("nested_virtualization false turns it off on a family that has it")
        void nestedOff() {
            assertThat(vm(changedX86(root -> vmNode(root, 2).put("nested_virtualization", false)), 2)
                    .nestedVirtualization()).isFalse();
        }

        @Test
        @DisplayName("without role_name the lab's instance profile is used")
        void noRoleName() {
            LabConfig config = changedX86(root -> ((ObjectNode) root.get("test_config")).remove("role_name"));

            assertThat(config.testConfig().orElseThrow().roleName()).isEmpty();
        }
    }

    @Nested
    @DisplayName("refusals")
    class Refusals {

        @Test
        @DisplayName("nested_virtualization true on a family without it names the type and the families that have it")
        void nestedOnUnsupportedFamily() {
            String message = refusal(root -> vmNode(root, 0).put("instance_type", "m5.large")
                    .put("nested_virtualization", true));

            assertThat(message).isEqualTo("lab config: test_config.vms[0].nested_virtualization: instance type"
                    + " m5.large (family m5) has no nested virtualization; EC2 offers it on c8i, c8i-flex, m8i,"
                    + " m8i-flex, r8i, r8i-flex");
        }

        @ParameterizedTest
        @ValueSource(strings = {"PATH", "ld_preload", "AWS_ACCESS_KEY_ID", "BASH_ENV", "PS4", "PULLAB_KERNEL_URL",
                "PYTHONPATH", "IFS"})
        @DisplayName("a test_params key naming a reserved variable is refused, naming the key")
        void reservedName(String key) {
            String message = refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params")).put(key, "x"));

            assertThat(message).startsWith("lab config: test_config.vms[1].test_params." + key + ": ")
                    .contains(" is reserved");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1ST", "KERNEL-URL", "A B", "x;rm -rf /", ""})
        @DisplayName("a test_params key that is not a shell variable name is refused, naming it")
        void notAName(String key) {
            String message = refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params")).put(key, "x"));

            assertThat(message).startsWith("lab config: test_config.vms[1].test_params: key \"" + key
                    + "\" is not a shell variable name");
        }

        @Test
        @DisplayName("two keys that are the same variable once upper-cased are refused")
        void sameVariable() {
            String message = refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params"))
                    .put("kernel_url", "https://example.org/b"));

            assertThat(message).contains("same variable KERNEL_URL");
        }

        @Test
        @DisplayName("a value longer than 8192 characters, an object or a NUL is refused")
        void values() {
            assertThat(refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params"))
                    .put("BIG", "x".repeat(8193)))).contains("BIG is 8193 characters long, more than 8192");
            assertThat(refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params"))
                    .putObject("NESTED"))).contains("test_params.NESTED: expected a string, number or boolean");
            assertThat(refusal(root -> ((ObjectNode) vmNode(root, 1).get("test_params"))
                    .put("NUL", "a\u0000b"))).contains("NUL holds a NUL character");
        }

        @Test
        @DisplayName("root_volume_size must be 1 to 16384 GiB, role_name an instance profile name")
        void sizesAndNames() {
            assertThat(refusal(root -> vmNode(root, 0).put("root_volume_size", 0)))
                    .contains("test_config.vms[0].root_volume_size: must be between 1 and 16384, got 0");
            assertThat(refusal(root -> ((ObjectNode) root.get("test_config")).put("role_name", "a/b")))
                    .contains("test_config.role_name: not an IAM instance profile name");
        }
    }

    @Nested
    @DisplayName("fromConfig")
    class FromConfig {

        @Test
        @DisplayName("carries test_params to the test's params.env and the launch settings to its VM options")
        void carried() {
            RunPlan plan = JobTranslator.fromConfig(parse(X86), SUFFIX, NOW);

            VmGroup boot = plan.groups().get(1);
            assertThat(boot.test().name()).isEqualTo("url-kernel-boot");
            assertThat(boot.test().params()).containsEntry("KERNEL_URL",
                    "https://files.kernelci.org/kbuild-gcc-14-x86/bzImage").containsEntry("BOOT_RETRIES", "2");
            assertThat(boot.options()).isEqualTo(new VmOptions(OptionalInt.of(40), true,
                    Optional.of("kernel-ci-lab-role")));
        }

        @Test
        @DisplayName("two vms entries running one test with different test_params are refused (one payload per test)")
        void sameTestOtherParams() {
            LabConfig config = changedX86(root -> vmNode(root, 2).putArray("test").add("url-kernel-boot"));

            assertThatThrownBy(() -> JobTranslator.fromConfig(config, SUFFIX, NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("test_config.vms[1] and vms[2] both run 'url-kernel-boot' with different"
                            + " test_params");
        }

        @Test
        @DisplayName("two vms entries running one test with the same test_params (e.g. x86 and arm64) are fine")
        void sameTestSameParams() {
            LabConfig config = changedX86(root -> vmNode(root, 2).putArray("test").add("simple-unixbench"));

            assertThat(JobTranslator.fromConfig(config, SUFFIX, NOW).groups()).hasSize(3);
        }

        @Test
        @DisplayName("arm64: no nested virtualization, root volume kept")
        void arm64() {
            RunPlan plan = JobTranslator.fromConfig(parse(ARM64), SUFFIX, NOW);

            assertThat(plan.groups()).extracting(VmGroup::options).containsOnly(new VmOptions(OptionalInt.of(40),
                    false, Optional.of("kernel-ci-lab-role")));
        }
    }
}
