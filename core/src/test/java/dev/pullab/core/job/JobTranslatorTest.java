package dev.pullab.core.job;

import static dev.pullab.core.job.JobFixtures.BASELINE;
import static dev.pullab.core.job.JobFixtures.BASELINE_NODE;
import static dev.pullab.core.job.JobFixtures.KSELFTEST;
import static dev.pullab.core.job.JobFixtures.KSELFTEST_NODE;
import static dev.pullab.core.job.JobFixtures.LTP;
import static dev.pullab.core.job.JobFixtures.NOW;
import static dev.pullab.core.job.JobFixtures.SUFFIX;
import static dev.pullab.core.job.JobFixtures.baselineTicket;
import static dev.pullab.core.job.JobFixtures.bytes;
import static dev.pullab.core.job.JobFixtures.changed;
import static dev.pullab.core.job.JobFixtures.definition;
import static dev.pullab.core.job.JobFixtures.firstTest;
import static dev.pullab.core.job.JobFixtures.kselftestTicket;
import static dev.pullab.core.job.JobFixtures.labConfig;
import static dev.pullab.core.job.JobFixtures.ltpTicket;
import static dev.pullab.core.job.JobFixtures.ticket;
import static dev.pullab.core.job.JobFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.kernelci.ErrorCode;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.run.VmOptions;
import dev.pullab.core.job.JobTicket;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("JobTranslator: from a claimed KernelCI job to a run plan, or a rejection")
class JobTranslatorTest {

    /**
     * The default lab config with {@code artifact_urls.allow_http}: KernelCI storage serves the baseline fixture's
     * ramdisk over plain http, which the default artifact URL policy refuses (see {@link ArtifactUrls}).
     */
    private static final LabConfig DEFAULTS = withArtifactUrls(LabConfig.defaults(),
            new ArtifactUrlPolicy(true, List.of()));

    /** {@link #DEFAULTS} without the default EC2 platforms {@code aws-ec2-x86_64} and {@code aws-ec2-arm64}. */
    private static final LabConfig WITHOUT_DEFAULT_EC2 = withoutDefaultEc2(DEFAULTS);

    private static LabConfig withoutDefaultEc2(LabConfig config) {
        Map<String, LabConfig.Platform> platforms = new LinkedHashMap<>(config.platforms());
        platforms.keySet().removeIf(name -> name.startsWith(LabConfig.DEFAULT_EC2_PREFIX));
        return new LabConfig(config.testConfig(), config.storage(), platforms, config.jobDefinitions(),
                config.artifactUrls());
    }

    private static LabConfig withArtifactUrls(LabConfig config, ArtifactUrlPolicy policy) {
        return new LabConfig(config.testConfig(), config.storage(), config.platforms(), config.jobDefinitions(),
                policy);
    }

    private static Translation translate(JobTicket ticket, byte[] json, LabConfig config) {
        return JobTranslator.translate(ticket, json, config, SUFFIX, NOW);
    }

    private static RunPlan planned(Translation translation) {
        assertThat(translation).isInstanceOf(Translation.Planned.class);
        return ((Translation.Planned) translation).plan();
    }

    private static JobRejection rejected(Translation translation) {
        assertThat(translation).isInstanceOf(JobRejection.class);
        return (JobRejection) translation;
    }

    /**
     * The params.env map with every key empty but {@code PULLAB_ALLOW_HTTP=1} (as {@link #DEFAULTS} and the fixture
     * lab config have it), then {@code keysAndValues} set.
     */
    private static Map<String, String> params(String... keysAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        JobTranslator.PARAMS_ENV_KEYS.forEach(key -> params.put(key, ""));
        params.put("PULLAB_ALLOW_HTTP", "1");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            params.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return params;
    }

    /** The lab's own ({@code PULLAB_*}) params.env variables of a test. */
    private static Map<String, String> labParams(Map<String, String> params) {
        Map<String, String> lab = new LinkedHashMap<>();
        params.forEach((name, value) -> {
            if (name.startsWith("PULLAB_")) {
                lab.put(name, value);
            }
        });
        return lab;
    }

    @Nested
    @DisplayName("the fixture job definitions")
    class Fixtures {

        @Test
        @DisplayName("baseline on qemu-x86_64 -> one Fargate x86_64 kernelci-boot group, ids from node and suffix")
        void baselinePlan() {
            RunPlan plan = planned(JobTranslator.translate(baselineTicket(), definition(BASELINE), DEFAULTS, SUFFIX,
                    NOW));

            assertThat(plan.testId()).isEqualTo("pulllab-" + BASELINE_NODE + "-" + SUFFIX);
            assertThat(plan.runPrefix()).isEqualTo("run_pulllab-" + BASELINE_NODE + "-" + SUFFIX + "_20260520_101530");
            assertThat(plan.jobNodeId()).contains(BASELINE_NODE);
            assertThat(plan.executor()).isEqualTo(Executor.FARGATE);
            assertThat(plan.groups()).extracting(g -> g.test().name(), VmGroup::arch, VmGroup::count,
                    VmGroup::maxRuntimeS).containsExactly(tuple("kernelci-boot",
                            "x86_64", 1, LabConfig.DEFAULT_PLATFORM_MAX_RUNTIME_S));
        }

        @Test
        @DisplayName("baseline -> params.env with the job, kernel and modules URLs, the boot test; the rest empty")
        void baselineParams() {
            RunPlan plan = planned(translate(baselineTicket(), bytes(BASELINE), DEFAULTS));

            assertThat(labParams(plan.groups().get(0).test().params())).isEqualTo(params(
                    "PULLAB_JOB_NODE_ID", BASELINE_NODE,
                    "PULLAB_JOB_NAME", "baseline-x86-pull-labs-demo",
                    "PULLAB_PLATFORM", "qemu-x86_64",
                    "PULLAB_KERNEL_URL", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/bzImage",
                    "PULLAB_MODULES_URL", "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/modules.tar.xz",
                    // the job's ramdisk: what a QEMU boot runs as its userspace
                    "PULLAB_RAMDISK_URL", "http://storage.kernelci.org/images/rootfs/buildroot/buildroot-baseline/"
                            + "20230703.0/x86/rootfs.cpio.gz",
                    "PULLAB_TEST_ID", "boot-test-6825f9c0",
                    "PULLAB_TEST_TYPE", "boot",
                    "PULLAB_TEST_TIMEOUT_S", "600"));
        }

        @Test
        @DisplayName("LTP smoke on qemu-arm64 -> one Fargate arm64 kernelci-ltp group")
        void ltpPlan() {
            RunPlan plan = planned(translate(ltpTicket(), bytes(LTP), DEFAULTS));

            assertThat(plan.executor()).isEqualTo(Executor.FARGATE);
            assertThat(plan.groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo("kernelci-ltp");
                assertThat(group.arch()).isEqualTo("arm64");
            });
        }

        @Test
        @DisplayName("LTP smoke -> params.env with rootfs URL, tst_cmdfiles, skipfile, workers and 3600 s timeout")
        void ltpParams() {
            RunPlan plan = planned(translate(ltpTicket(), bytes(LTP), DEFAULTS));

            assertThat(labParams(plan.groups().get(0).test().params())).isEqualTo(params(
                    "PULLAB_JOB_NODE_ID", JobFixtures.LTP_NODE,
                    "PULLAB_JOB_NAME", "ltp-smoketest-arm64-pull-labs-demo",
                    "PULLAB_PLATFORM", "qemu-arm64",
                    "PULLAB_KERNEL_URL", "https://files.kernelci.org/kbuild-gcc-15-arm64-nfsboot-6825f9c0/Image",
                    "PULLAB_MODULES_URL",
                    "https://files.kernelci.org/kbuild-gcc-15-arm64-nfsboot-6825f9c0/modules.tar.xz",
                    "PULLAB_ROOTFS_URL", "https://storage.kernelci.org/images/rootfs/debian/trixie-ltp/20260730.0/"
                            + "arm64/full.rootfs.tar.xz",
                    "PULLAB_TEST_ID", "ltp-smoketest",
                    "PULLAB_TEST_TYPE", "ltp",
                    "PULLAB_TEST_TIMEOUT_S", "3600",
                    "PULLAB_LTP_CMDFILES", "smoketest",
                    "PULLAB_LTP_SKIPFILE", "skipfile-lkft.yaml",
                    "PULLAB_LTP_WORKERS", "max"));
        }

        @Test
        @DisplayName("kselftest on a board the config maps to EC2 -> the platform's AMI, instance type, VM count")
        void kselftestPlan() {
            RunPlan plan = planned(translate(kselftestTicket(), bytes(KSELFTEST), labConfig()));

            assertThat(plan.executor()).isEqualTo(Executor.EC2);
            assertThat(plan.groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo("kernelci-kselftest");
                assertThat(group.arch()).isEqualTo("arm64");
                assertThat(group.image()).isEqualTo(LabConfig.AL2023_ARM64);
                assertThat(group.instanceType()).isEqualTo("m7g.large");
                assertThat(group.count()).isEqualTo(2);
                assertThat(group.maxRuntimeS()).isEqualTo(5400);
            });
            assertThat(plan.expectedVms()).isEqualTo(2);
        }

        @Test
        @DisplayName("kselftest -> params.env with kselftest, rootfs and dtb URLs, the collection and 1800 s timeout")
        void kselftestParams() {
            RunPlan plan = planned(translate(kselftestTicket(), bytes(KSELFTEST), labConfig()));

            String build = "https://files.kernelci.org/kbuild-gcc-15-arm64-6825f9c0/";
            assertThat(labParams(plan.groups().get(0).test().params())).isEqualTo(params(
                    "PULLAB_JOB_NODE_ID", KSELFTEST_NODE,
                    "PULLAB_JOB_NAME", "kselftest-arm64-pull-labs-demo",
                    "PULLAB_PLATFORM", "exynos850-e850-96",
                    "PULLAB_KERNEL_URL", build + "Image",
                    "PULLAB_MODULES_URL", build + "modules.tar.xz",
                    "PULLAB_ROOTFS_URL", "https://storage.kernelci.org/images/rootfs/debian/trixie-kselftest/"
                            + "20260606.0/arm64/full.rootfs.tar.xz",
                    "PULLAB_DTB_URL", build + "dtbs/exynos/exynos850-e850-96.dtb",
                    "PULLAB_KSELFTEST_URL", build + "kselftest.tar.xz",
                    "PULLAB_TEST_ID", "kselftest-arm64",
                    "PULLAB_TEST_TYPE", "kselftest-arm64",
                    "PULLAB_TEST_TIMEOUT_S", "1800",
                    "PULLAB_KSELFTEST_COLLECTION", "arm64",
                    // the fixture lab config's artifact_urls.allow_private, for the VM's own check
                    "PULLAB_ALLOW_PRIVATE_URLS", "10.20.0.0/16"));
        }
    }

    @Nested
    @DisplayName("platform, arch and parameter rules")
    class Rules {

        @Test
        @DisplayName("without environment.platform the ticket's platform is used")
        void platformFromTicket() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment").remove("platform"));

            RunPlan plan = planned(translate(baselineTicket(), json, DEFAULTS));

            assertThat(plan.groups().get(0).test().params()).containsEntry("PULLAB_PLATFORM", "qemu-x86_64");
        }

        @Test
        @DisplayName("a node platform other than environment.platform is refused: the job would report for a platform"
                + " that never ran it")
        void platformsMustAgree() {
            JobTicket ticket = ticket(BASELINE_NODE, "baseline", "x86_64-ec2", "x86_64");

            JobRejection rejection = rejected(translate(ticket, bytes(BASELINE), DEFAULTS));

            assertThat(rejection.code()).isEqualTo(ErrorCode.INVALID_JOB_PARAMS);
            assertThat(rejection.message()).isEqualTo("the job node's platform 'x86_64-ec2' (data.platform) differs"
                    + " from its job definition's platform 'qemu-x86_64' (environment.platform)");
        }

        @Test
        @DisplayName("a node platform equal to environment.platform is planned on it")
        void platformsAgree() {
            RunPlan plan = planned(translate(baselineTicket(), bytes(BASELINE), DEFAULTS));

            assertThat(plan.executor()).isEqualTo(Executor.FARGATE);
        }

        @Test
        @DisplayName("without environment.arch the ticket's arch must match the platform")
        void archFromTicket() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment").remove("arch"));
            JobTicket ticket = ticket(BASELINE_NODE, "baseline", "qemu-x86_64", "arm64");

            JobRejection rejection = rejected(translate(ticket, json, DEFAULTS));

            assertThat(rejection.message()).isEqualTo(
                    "job arch 'arm64' does not match arch 'x86_64' of platform 'qemu-x86_64'");
        }

        @Test
        @DisplayName("arch aarch64 is arm64")
        void aarch64IsArm64() {
            byte[] json = changed(LTP, root -> root.withObjectProperty("environment").put("arch", "aarch64"));

            assertThat(translate(ltpTicket(), json, DEFAULTS)).isInstanceOf(Translation.Planned.class);
        }

        @Test
        @DisplayName("an EC2 platform gives the group its AMI parameter and instance type")
        void ec2PlatformImage() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment").put("platform",
                    "x86_64-ec2"));

            VmGroup group = planned(translate(ticket(BASELINE_NODE, "baseline", "x86_64-ec2", "x86_64"), json,
                    DEFAULTS)).groups().get(0);

            assertThat(group.image()).isEqualTo(LabConfig.AL2023_X86_64);
            assertThat(group.instanceType()).isEqualTo("m5.large");
        }

        @Test
        @DisplayName("LTP skipfile and workers fall back to the top-level SKIPFILE and KIRK_WORKERS")
        void ltpTopLevelFallback() {
            byte[] json = changed(LTP, root -> firstTest(root).put("parameters", "tst_cmdfiles=syscalls"));

            Map<String, String> params = planned(translate(ltpTicket(), json, DEFAULTS)).groups().get(0).test()
                    .params();

            assertThat(params).containsEntry("PULLAB_LTP_CMDFILES", "syscalls")
                    .containsEntry("PULLAB_LTP_SKIPFILE", "skipfile-lkft.yaml")
                    .containsEntry("PULLAB_LTP_WORKERS", "max");
        }

        @Test
        @DisplayName("each test of a job gets its own VM group with the platform's VM count")
        void oneGroupPerTest() {
            byte[] json = changed(KSELFTEST, root -> root.withArrayProperty("tests").addObject()
                    .put("id", "boot-1").put("type", "boot"));

            RunPlan plan = planned(translate(kselftestTicket(), json, labConfig()));

            assertThat(plan.groups()).extracting(g -> g.test().name(), VmGroup::count)
                    .containsExactly(tuple("kernelci-kselftest", 2),
                            tuple("kernelci-boot", 2));
        }

        @Test
        @DisplayName("every test's params hold exactly the documented params.env keys")
        void paramsKeys() {
            VmTestSpec run = planned(translate(baselineTicket(), bytes(BASELINE), DEFAULTS)).groups().get(0).test();

            assertThat(run.params().keySet()).containsExactlyInAnyOrderElementsOf(Stream.concat(
                    JobTranslator.PARAMS_ENV_KEYS.stream(), JobTranslator.PULL_LABS_ENV_KEYS.stream()).toList());
        }

        @Test
        @DisplayName("a node id that cannot be part of a run id is rejected")
        void unusableNodeId() {
            JobTicket ticket = ticket("../etc", "baseline", "qemu-x86_64", "x86_64");

            JobRejection rejection = rejected(translate(ticket, bytes(BASELINE), DEFAULTS));

            assertThat(rejection.code()).isEqualTo(ErrorCode.INVALID_JOB_PARAMS);
            assertThat(rejection.message()).contains("job node id '../etc'");
        }

        @Test
        @DisplayName("a run suffix that cannot be part of a run id is a caller bug")
        void badSuffix() {
            assertThatThrownBy(() -> JobTranslator.translate(baselineTicket(), bytes(BASELINE), DEFAULTS, "a/b", NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("run suffix");
        }
    }

    /** The translation's notes, asserting it is a plan. */
    private static List<String> notes(Translation translation) {
        assertThat(translation).isInstanceOf(Translation.Planned.class);
        return ((Translation.Planned) translation).notes();
    }

    /** The baseline fixture with {@code environment.platform} set to {@code platform}. */
    private static byte[] baselineOn(String platform) {
        return changed(BASELINE, root -> root.withObjectProperty("environment").put("platform", platform));
    }

    /** The baseline fixture with its tests replaced by {@code id:type} pairs. */
    private static byte[] baselineWithTests(String... idsAndTypes) {
        return changed(BASELINE, root -> {
            var tests = root.putArray("tests");
            for (String idAndType : idsAndTypes) {
                String[] parts = idAndType.split(":", 2);
                tests.addObject().put("id", parts[0]).put("type", parts[1]);
            }
        });
    }

    /** A ticket on the baseline node without platform or arch (as pullab_cloud's jobs: the definition says it). */
    private static JobTicket bareTicket() {
        return ticket(BASELINE_NODE, "baseline", "", "");
    }

    @Nested
    @DisplayName("pullab_cloud's job shapes: platforms placed by arch")
    class PlacedByArch {

        @Test
        @DisplayName("platform aws-ec2-x86_64 runs on the default lab's aws-ec2-x86_64: EC2, AL2023 x86_64, m5.large")
        void awsEc2X86() {
            Translation translation = translate(ticket(BASELINE_NODE, "baseline", "aws-ec2-x86_64", "x86_64"),
                    baselineOn("aws-ec2-x86_64"), DEFAULTS);

            RunPlan plan = planned(translation);
            assertThat(plan.executor()).isEqualTo(Executor.EC2);
            assertThat(plan.groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo(JobTranslator.BOOT_TEST);
                assertThat(group.arch()).isEqualTo("x86_64");
                assertThat(group.image()).isEqualTo(LabConfig.AL2023_X86_64);
                assertThat(group.instanceType()).isEqualTo("m5.large");
                assertThat(group.test().params()).containsEntry("PULLAB_PLATFORM", "aws-ec2-x86_64");
            });
            assertThat(notes(translation)).isEmpty();
        }

        @Test
        @DisplayName("platform aws-ec2-arm64 with environment.arch arm64 runs on aws-ec2-arm64: AL2023 arm64,"
                + " m7g.large")
        void awsEc2Arm64() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment")
                    .put("platform", "aws-ec2-arm64").put("arch", "arm64"));

            VmGroup group = planned(translate(bareTicket(), json, DEFAULTS)).groups().get(0);

            assertThat(group.arch()).isEqualTo("arm64");
            assertThat(group.image()).isEqualTo(LabConfig.AL2023_ARM64);
            assertThat(group.instanceType()).isEqualTo("m7g.large");
        }

        @Test
        @DisplayName("pullab_cloud's minimal job (arch x86_64, kernel and modules, no platform, no tests) runs out of"
                + " the box on the default lab config: a boot test on aws-ec2-x86_64")
        void pullabCloudMinimalJob() {
            byte[] json = utf8("""
                    {"environment": {"arch": "x86_64"},
                     "artifacts": {"kernel": "https://storage.example.org/k/bzImage",
                                   "modules": "https://storage.example.org/k/modules.tar.gz"}}
                    """);

            Translation translation = translate(bareTicket(), json, LabConfig.defaults());

            RunPlan plan = planned(translation);
            assertThat(plan.executor()).isEqualTo(Executor.EC2);
            assertThat(plan.groups()).extracting(g -> g.test().name(), VmGroup::arch, VmGroup::instanceType,
                    VmGroup::maxRuntimeS)
                    .containsExactly(tuple(JobTranslator.BOOT_TEST, "x86_64", "m5.large", 7200));
            assertThat(notes(translation)).containsExactly(
                    "the job names no platform (environment.platform and the node's data.platform are empty): it"
                            + " runs on the lab's default EC2 platform 'aws-ec2-x86_64' (arch x86_64 from"
                            + " environment.arch)",
                    "the job names no tests: it runs the boot test (kernelci-boot) as test 'boot-test-6825f9c0'"
                            + " with timeout_s 600");
        }

        @Test
        @DisplayName("pullab_cloud's example config as the lab config (no platforms table, kernelci.platforms"
                + " [aws-ec2-x86_64]) runs an aws-ec2-x86_64 job on the default table's aws-ec2-x86_64")
        void pullabCloudExampleConfig() {
            LabConfig lab = LabConfig.parse(utf8("""
                    {"provider": "aws", "region": "eu-west-2",
                     "storage": {"type": "s3", "bucket": "kernel-ci-exampleuser-results", "results_prefix": "results"},
                     "kernelci": {"runtime_name": "pull-labs-aws-ec2", "platforms": ["aws-ec2-x86_64"]},
                     "test_config": {"test_id": "test-all-tests", "role_name": "kernel-ci-exampleuser-ecs-role",
                       "vms": [{"ami_id": "%s", "instance_type": "c8i.4xlarge", "root_volume_size": 40,
                                "max_runtime": 3600, "test": ["simple-unixbench"], "min_count": 1}]}}
                    """.formatted(LabConfig.AL2023_X86_64)));
            byte[] json = utf8("""
                    {"environment": {"platform": "aws-ec2-x86_64", "arch": "x86_64"},
                     "artifacts": {"kernel": "https://storage.example.org/k/bzImage",
                                   "modules": "https://storage.example.org/k/modules.tar.gz"},
                     "tests": [{"id": "baseline-x86", "type": "baseline"}], "timeout": 3600}
                    """);

            RunPlan plan = planned(translate(ticket(BASELINE_NODE, "baseline", "aws-ec2-x86_64", "x86_64"), json, lab));

            assertThat(plan.groups()).extracting(g -> g.test().name(), VmGroup::instanceType, VmGroup::maxRuntimeS)
                    .containsExactly(tuple(JobTranslator.BOOT_TEST, "m5.large", 3600));
        }

        @Test
        @DisplayName("a platform outside the table runs on the default EC2 platform of environment.arch, said in a"
                + " note")
        void unlistedPlatformByEnvironmentArch() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment")
                    .put("platform", "my-board").put("arch", "arm64"));

            Translation translation = translate(bareTicket(), json, DEFAULTS);

            assertThat(planned(translation).groups().get(0).test().params())
                    .containsEntry("PULLAB_PLATFORM", "aws-ec2-arm64");
            assertThat(notes(translation)).containsExactly("platform 'my-board' is not in the lab's platforms table:"
                    + " it runs on the lab's default EC2 platform 'aws-ec2-arm64' (arch arm64 from environment.arch)");
        }

        @Test
        @DisplayName("without environment.arch the node's data.arch places the job")
        void unlistedPlatformByNodeArch() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment")
                    .put("platform", "my-board").remove("arch"));

            Translation translation = translate(ticket(BASELINE_NODE, "baseline", "my-board", "arm64"), json,
                    DEFAULTS);

            assertThat(planned(translation).groups().get(0).arch()).isEqualTo("arm64");
            assertThat(notes(translation)).singleElement().asString()
                    .endsWith("(arch arm64 from the node's data.arch)");
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "qemu-arm64-virt, arm64",
                "rk3399-AARCH64-board, arm64",
                "my-board, x86_64"})
        @DisplayName("without any arch, a platform name with arm64/aarch64 places the job on arm64, any other on"
                + " x86_64 (pullab_cloud's rule)")
        void unlistedPlatformByName(String platform, String arch) {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment")
                    .put("platform", platform).remove("arch"));

            VmGroup group = planned(translate(bareTicket(), json, DEFAULTS)).groups().get(0);

            assertThat(group.arch()).isEqualTo(arch);
            assertThat(group.test().params()).containsEntry("PULLAB_PLATFORM", "aws-ec2-" + arch);
        }

        @Test
        @DisplayName("arch aarch64 places the job on the default arm64 platform")
        void aarch64Placement() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("environment")
                    .put("platform", "my-board").put("arch", "aarch64"));

            assertThat(planned(translate(bareTicket(), json, DEFAULTS)).groups().get(0).arch()).isEqualTo("arm64");
        }

        @Test
        @DisplayName("a lab's own aws-ec2-x86_64 entry gives the placed job its AMI, instance type and VM count")
        void labsOwnDefaultPlatform() {
            Map<String, LabConfig.Platform> platforms = new LinkedHashMap<>(labConfig().platforms());
            platforms.put("aws-ec2-x86_64", new LabConfig.Platform("aws-ec2-x86_64", Executor.EC2, "x86_64",
                    "ami-0123456789abcdef0", "c8i.4xlarge", 3, 3600));
            LabConfig lab = new LabConfig(Optional.empty(), Optional.empty(), platforms,
                    LabConfig.JobDefinitionPolicy.defaults(), new ArtifactUrlPolicy(true, List.of()));

            VmGroup group = planned(translate(bareTicket(), baselineOn("pullab-cloud-x86"), lab)).groups().get(0);

            assertThat(group).extracting(VmGroup::image, VmGroup::instanceType, VmGroup::count, VmGroup::maxRuntimeS)
                    .containsExactly("ami-0123456789abcdef0", "c8i.4xlarge", 3, 3600);
        }
    }

    @Nested
    @DisplayName("pullab_cloud's job shapes: tests")
    class PullabCloudTests {

        @Test
        @DisplayName("a job without tests runs the boot test as KernelCI's default boot-test-<node id> with 600 s")
        void withoutTests() {
            Translation translation = translate(baselineTicket(), changed(BASELINE, root -> root.remove("tests")),
                    DEFAULTS);

            assertThat(planned(translation).groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo(JobTranslator.BOOT_TEST);
                assertThat(group.test().params()).containsEntry("PULLAB_TEST_ID", "boot-test-6825f9c0")
                        .containsEntry("PULLAB_TEST_TYPE", "boot").containsEntry("PULLAB_TEST_TIMEOUT_S", "600");
            });
            assertThat(notes(translation)).containsExactly("the job names no tests: it runs the boot test"
                    + " (kernelci-boot) as test 'boot-test-6825f9c0' with timeout_s 600");
        }

        @Test
        @DisplayName("a job with empty tests runs the boot test")
        void emptyTests() {
            RunPlan plan = planned(translate(baselineTicket(), changed(BASELINE, root -> root.putArray("tests")),
                    DEFAULTS));

            assertThat(plan.groups()).extracting(g -> g.test().name()).containsExactly(JobTranslator.BOOT_TEST);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"baseline", "unixbench"})
        @DisplayName("pullab_cloud's test types run the boot test with PULLAB_TEST_TYPE boot, said in a note")
        void pullabCloudTypes(String type) {
            Translation translation = translate(baselineTicket(), baselineWithTests("t1:" + type), DEFAULTS);

            assertThat(planned(translation).groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo(JobTranslator.BOOT_TEST);
                assertThat(group.test().params()).containsEntry("PULLAB_TEST_ID", "t1")
                        .containsEntry("PULLAB_TEST_TYPE", "boot");
            });
            assertThat(notes(translation)).containsExactly("test 't1' of type '" + type + "' (pullab_cloud's name)"
                    + " runs the boot test (kernelci-boot)");
        }

        @Test
        @DisplayName("a test type this lab does not know runs the boot test, said in a note")
        void unknownType() {
            Translation translation = translate(baselineTicket(), baselineWithTests("fuzz-1:fuzz"), DEFAULTS);

            assertThat(planned(translation).groups()).extracting(g -> g.test().name())
                    .containsExactly(JobTranslator.BOOT_TEST);
            assertThat(notes(translation)).containsExactly("test 'fuzz-1' has type 'fuzz', which this lab does not"
                    + " run (boot, ltp, kselftest-<collection>): it runs the boot test (kernelci-boot) instead");
        }

        @Test
        @DisplayName("baseline and unixbench in one job run one boot group, the first test's id, the longer timeout")
        void bootTestsMerged() {
            byte[] json = changed(BASELINE, root -> {
                var tests = root.putArray("tests");
                tests.addObject().put("id", "baseline-x86").put("type", "baseline").put("timeout_s", 300);
                tests.addObject().put("id", "bench").put("type", "unixbench").put("timeout_s", 900);
            });

            Translation translation = translate(baselineTicket(), json, DEFAULTS);

            assertThat(planned(translation).groups()).singleElement().satisfies(group -> {
                assertThat(group.test().name()).isEqualTo(JobTranslator.BOOT_TEST);
                assertThat(group.test().params()).containsEntry("PULLAB_TEST_ID", "baseline-x86")
                        .containsEntry("PULLAB_TEST_TIMEOUT_S", "900");
            });
            assertThat(notes(translation)).contains("test 'bench' runs the boot test as test 'baseline-x86' does: one"
                    + " kernelci-boot run for both, timeout_s 900");
        }

        @Test
        @DisplayName("two boot tests run one boot group")
        void twoBootTests() {
            RunPlan plan = planned(translate(baselineTicket(), baselineWithTests("b1:boot", "b2:boot"), DEFAULTS));

            assertThat(plan.groups()).extracting(g -> g.test().params().get("PULLAB_TEST_ID")).containsExactly("b1");
        }

        @Test
        @DisplayName("ltp next to baseline and an unknown type still runs kernelci-ltp, the others one boot group")
        void ltpUnbroken() {
            byte[] json = changed(LTP, root -> root.withArrayProperty("tests").addObject().put("id", "baseline-arm64")
                    .put("type", "baseline"));
            byte[] withUnknown = changed(LTP, root -> {
                root.withArrayProperty("tests").addObject().put("id", "baseline-arm64").put("type", "baseline");
                root.withArrayProperty("tests").addObject().put("id", "x").put("type", "weird");
            });

            assertThat(planned(translate(ltpTicket(), json, DEFAULTS)).groups()).extracting(g -> g.test().name())
                    .containsExactly(JobTranslator.LTP_TEST, JobTranslator.BOOT_TEST);
            RunPlan plan = planned(translate(ltpTicket(), withUnknown, DEFAULTS));
            assertThat(plan.groups()).extracting(g -> g.test().name(), g -> g.test().params().get("PULLAB_TEST_TYPE"))
                    .containsExactly(tuple(JobTranslator.LTP_TEST, "ltp"), tuple(JobTranslator.BOOT_TEST, "boot"));
        }

        @Test
        @DisplayName("kselftest-<collection> next to an unknown type still runs kernelci-kselftest with its collection")
        void kselftestUnbroken() {
            byte[] json = changed(KSELFTEST, root -> root.withArrayProperty("tests").addObject().put("id", "x")
                    .put("type", "weird"));

            RunPlan plan = planned(translate(kselftestTicket(), json, labConfig()));

            assertThat(plan.groups()).extracting(g -> g.test().name(),
                    g -> g.test().params().get("PULLAB_KSELFTEST_COLLECTION"))
                    .containsExactly(tuple(JobTranslator.KSELFTEST_TEST, "arm64"), tuple(JobTranslator.BOOT_TEST, ""));
        }
    }

    @Nested
    @DisplayName("the job's top-level timeout (pullab_cloud's job shape)")
    class JobTimeout {

        @Test
        @DisplayName("a timeout shorter than the platform's max_runtime becomes the VMs' max runtime, said in a note")
        void shortensMaxRuntime() {
            Translation translation = translate(baselineTicket(), changed(BASELINE, root -> root.put("timeout", 1800)),
                    DEFAULTS);

            assertThat(planned(translation).groups()).extracting(VmGroup::maxRuntimeS).containsExactly(1800);
            assertThat(notes(translation)).containsExactly("the job's timeout 1800 s bounds the VMs' max runtime"
                    + " (platform 'qemu-x86_64' allows 7200 s)");
        }

        @Test
        @DisplayName("a timeout longer than the platform's max_runtime does not extend the VMs' life")
        void neverExtends() {
            Translation translation = translate(baselineTicket(), changed(BASELINE, root -> root.put("timeout", 9000)),
                    DEFAULTS);

            assertThat(planned(translation).groups()).extracting(VmGroup::maxRuntimeS).containsExactly(7200);
            assertThat(notes(translation)).containsExactly("the job's timeout 9000 s is longer than platform"
                    + " 'qemu-x86_64' allows: the VMs keep its max_runtime 7200 s");
        }

        @Test
        @DisplayName("without a timeout the VMs keep the platform's max_runtime (no 3600 s default)")
        void absentKeepsPlatform() {
            RunPlan plan = planned(translate(ltpTicket(), bytes(LTP), DEFAULTS));

            assertThat(plan.groups()).extracting(VmGroup::maxRuntimeS).containsExactly(7200);
        }

        @Test
        @DisplayName("per-test timeout_s still bounds its stage, and must fit in the shortened max runtime")
        void testTimeoutStillBounds() {
            byte[] json = changed(BASELINE, root -> {
                root.put("timeout", 1800);
                firstTest(root).put("timeout_s", 1200);
            });

            VmGroup group = planned(translate(baselineTicket(), json, DEFAULTS)).groups().get(0);

            assertThat(group.maxRuntimeS()).isEqualTo(1800);
            assertThat(group.test().params()).containsEntry("PULLAB_TEST_TIMEOUT_S", "1200");
        }

        @Test
        @DisplayName("a test longer than the job's timeout allows runs with its stage shortened to fit, in a note")
        void jobTimeoutShortensTest() {
            Translation translation = translate(baselineTicket(), changed(BASELINE, root -> root.put("timeout", 900)),
                    DEFAULTS);

            VmGroup group = planned(translation).groups().get(0);
            assertThat(group.maxRuntimeS()).isEqualTo(900);
            assertThat(group.test().params()).containsEntry("PULLAB_TEST_TIMEOUT_S", "300");
            assertThat(notes(translation)).contains("test 'boot-test-6825f9c0' has timeout_s 600 but the job's"
                    + " timeout 900 s leaves 300 s after 600 s setup: its stage timeout is 300 s");
        }

        @Test
        @DisplayName("pullab_cloud's job with timeout 900 and no tests runs a boot test shortened to fit: 300 s")
        void noTestsShortTimeout() {
            byte[] json = changed(BASELINE, root -> {
                root.remove("tests");
                root.put("timeout", 900);
            });

            VmGroup group = planned(translate(baselineTicket(), json, DEFAULTS)).groups().get(0);

            assertThat(group.maxRuntimeS()).isEqualTo(900);
            assertThat(group.test().params()).containsEntry("PULLAB_TEST_TIMEOUT_S", "300");
        }
    }

    /** A job definition this lab refuses. */
    record Refused(String name, byte[] json, LabConfig config, ErrorCode code, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Refused generationError(String name, byte[] json, String message) {
        return new Refused(name, json, DEFAULTS, ErrorCode.JOB_GENERATION_ERROR, message);
    }

    private static Refused invalidParams(String name, byte[] json, String message) {
        return new Refused(name, json, DEFAULTS, ErrorCode.INVALID_JOB_PARAMS, message);
    }

    static Stream<Refused> refusedDefinitions() {
        return Stream.of(
                generationError("not JSON", utf8("<html>502 Bad Gateway</html>"),
                        "invalid job definition: not JSON: Unexpected character ('<'"),
                generationError("an empty document", new byte[0],
                        "invalid job definition: empty document"),
                generationError("a JSON array", utf8("[{\"tests\":[]}]"),
                        "invalid job definition: must be a JSON object, got an array"),
                generationError("trailing content", utf8("{\"tests\":[]} {}"),
                        "invalid job definition: not JSON: content after the JSON value (line 1, column 14)"),
                generationError("a duplicate key", utf8("{\"tests\":[],\"tests\":[]}"),
                        "invalid job definition: not JSON: Duplicate field 'tests'"),
                generationError("tests that is not an array", changed(BASELINE, root -> root.putObject("tests")),
                        "invalid job definition: tests: expected an array, got an object"),
                generationError("a test that is not an object",
                        changed(BASELINE, root -> root.putArray("tests").add("boot")),
                        "invalid job definition: tests[0]: expected an object, got the string \"boot\""),
                generationError("a test without type", changed(BASELINE, root -> firstTest(root).remove("type")),
                        "invalid job definition: tests[0].type: missing"),
                generationError("a test without id", changed(BASELINE, root -> firstTest(root).remove("id")),
                        "invalid job definition: tests[0].id: missing"),
                generationError("a negative timeout_s", changed(BASELINE, root -> firstTest(root).put("timeout_s", -5)),
                        "invalid job definition: tests[0].timeout_s: must be between 1 and 86400, got -5"),
                generationError("timeout_s as a string",
                        changed(BASELINE, root -> firstTest(root).put("timeout_s", "600")),
                        "invalid job definition: tests[0].timeout_s: expected a whole number, got the string \"600\""),
                generationError("a fractional timeout_s",
                        changed(BASELINE, root -> firstTest(root).put("timeout_s", 1.5)),
                        "invalid job definition: tests[0].timeout_s: expected a whole number, got the number 1.5"),
                generationError("no environment", changed(BASELINE, root -> root.remove("environment")),
                        "invalid job definition: environment: missing"),
                generationError("a kernel URL that is not a string",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("kernel", 42)),
                        "invalid job definition: artifacts.kernel: expected a string, got the number 42"),
                generationError("depends that is not a list of strings",
                        changed(BASELINE, root -> firstTest(root).putArray("depends").add(1)),
                        "invalid job definition: tests[0].depends[0]: expected a string, got the number 1"),
                generationError("a top-level timeout as a string",
                        changed(BASELINE, root -> root.put("timeout", "3600")),
                        "invalid job definition: timeout: expected a whole number, got the string \"3600\""),
                invalidParams("a test type that is not a name",
                        changed(BASELINE, root -> firstTest(root).put("type", "boot; reboot")),
                        "test 'boot-test-6825f9c0' has type 'boot; reboot', which is not a test type name (letters,"
                                + " digits and _.,:/+- only, at most 128 characters)"),
                invalidParams("kselftest- without a collection",
                        changed(BASELINE, root -> firstTest(root).put("type", "kselftest-")),
                        "kselftest test 'boot-test-6825f9c0' names no collection (type kselftest-<collection>,"
                                + " e.g. kselftest-timers)"),
                invalidParams("kselftest without a collection",
                        changed(BASELINE, root -> firstTest(root).put("type", "kselftest")),
                        "kselftest test 'boot-test-6825f9c0' names no collection"),
                new Refused("a platform outside the table on a lab without a default EC2 platform for its arch",
                        bytes(KSELFTEST), WITHOUT_DEFAULT_EC2, ErrorCode.INVALID_JOB_PARAMS,
                        "platform 'exynos850-e850-96' is not in the lab's platforms table (known: arm64-ec2,"
                                + " qemu-arm64, qemu-x86_64, x86_64-ec2), and the lab has no default EC2 platform for"
                                + " arm64 to run it on: add a platform named 'aws-ec2-arm64' (executor ec2, arch"
                                + " arm64, ami_id, instance_type) to the lab config's platforms"),
                invalidParams("a platform outside the table with an arch this lab does not run",
                        changed(BASELINE, root -> root.withObjectProperty("environment").put("platform",
                                "qemu-riscv64").put("arch", "riscv64")),
                        "platform 'qemu-riscv64' is not in the lab's platforms table (known: arm64-ec2,"
                                + " aws-ec2-arm64, aws-ec2-x86_64, qemu-arm64, qemu-x86_64, x86_64-ec2), and its arch"
                                + " 'riscv64' (environment.arch) is not one this lab runs (x86_64, arm64, aarch64 ="
                                + " arm64)"),
                invalidParams("an arch other than the platform's",
                        changed(BASELINE, root -> root.withObjectProperty("environment").put("arch", "arm64")),
                        "job arch 'arm64' does not match arch 'x86_64' of platform 'qemu-x86_64'"),
                new Refused("no platform at all, on a lab without a default EC2 platform",
                        changed(BASELINE, root -> root.withObjectProperty("environment").remove("platform")),
                        WITHOUT_DEFAULT_EC2, ErrorCode.INVALID_JOB_PARAMS,
                        "the job names no platform (environment.platform and the node's data.platform are empty)"
                                + " (known: arm64-ec2, qemu-arm64, qemu-x86_64, x86_64-ec2), and the lab has no"
                                + " default EC2 platform for x86_64 to run it on: add a platform named"
                                + " 'aws-ec2-x86_64'"),
                invalidParams("no kernel artifact",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").remove("kernel")),
                        "job definition has no kernel artifact (needed by test boot-test-6825f9c0)"),
                invalidParams("no modules artifact on an EC2 platform", changed(BASELINE, root -> {
                    root.withObjectProperty("artifacts").remove("modules");
                    root.withObjectProperty("environment").put("platform", "x86_64-ec2");
                }), "job definition has no modules artifact (needed by test boot-test-6825f9c0)"),
                invalidParams("ltp without rootfs",
                        changed(LTP, root -> root.withObjectProperty("artifacts").remove("rootfs")),
                        "job definition has no rootfs artifact (needed by test ltp-smoketest)"),
                invalidParams("ltp without tst_cmdfiles",
                        changed(LTP, root -> firstTest(root).put("parameters", "skipfile=x workers=2")),
                        "ltp test 'ltp-smoketest' has no tst_cmdfiles parameter"),
                invalidParams("an ltp parameter that is not key=value",
                        changed(LTP, root -> firstTest(root).put("parameters", "tst_cmdfiles=smoketest verbose")),
                        "parameter 'verbose' of test 'ltp-smoketest' is not key=value"),
                invalidParams("kselftest without a kselftest artifact", changed(KSELFTEST, root -> {
                    root.withObjectProperty("artifacts").remove("kselftest");
                    root.withObjectProperty("environment").put("platform", "qemu-arm64");
                }), "job definition has no kselftest artifact (needed by test kselftest-arm64)"),
                invalidParams("an ftp ramdisk URL",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("ramdisk",
                                "ftp://storage.kernelci.org/rootfs.cpio.gz")),
                        "artifact 'ramdisk' refused: not an http(s) URL: ftp://storage.kernelci.org/rootfs.cpio.gz"),
                invalidParams("a file kernel URL",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("kernel",
                                "file:///boot/vmlinuz")),
                        "artifact 'kernel' refused: not an http(s) URL: file:///boot/vmlinuz"),
                invalidParams("an s3 modules URL",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("modules",
                                "s3://pullab-results/run_x/params.env")),
                        "artifact 'modules' refused: not an http(s) URL: s3://pullab-results/run_x/params.env"),
                invalidParams("a kernel URL with a space",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("kernel",
                                "https://files.kernelci.org/a b")),
                        "artifact 'kernel' refused: not a valid URL: https://files.kernelci.org/a b"),
                invalidParams("a kernel URL on the cloud metadata service",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("kernel",
                                "http://169.254.169.254/latest/meta-data/iam/security-credentials/")),
                        "artifact 'kernel' refused: host 169.254.169.254 is a link-local address (cloud metadata "
                                + "service) (allowed only when the lab config's artifact_urls.allow_private lists its "
                                + "range): http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
                invalidParams("a dtb URL on loopback as a decimal number",
                        changed(BASELINE, root -> root.withObjectProperty("artifacts").put("dtb",
                                "https://2130706433/board.dtb")),
                        "artifact 'dtb' refused: host 2130706433 is an IPv4 address in a non-canonical spelling"),
                invalidParams("a kselftest URL on localhost", changed(KSELFTEST, root -> {
                    root.withObjectProperty("artifacts").put("kselftest", "https://localhost:8443/kselftest.tar.xz");
                    root.withObjectProperty("environment").put("platform", "qemu-arm64");
                }), "artifact 'kselftest' refused: host localhost names this machine or an internal network"),
                invalidParams("a rootfs URL with credentials, never echoed",
                        changed(LTP, root -> root.withObjectProperty("artifacts").put("rootfs",
                                "https://ci-bot:s3cr3t-t0ken@storage.kernelci.org/rootfs.tar.xz")),
                        "artifact 'rootfs' refused: user info (credentials) in the URL is not accepted: "
                                + "https://<user info>@storage.kernelci.org/rootfs.tar.xz"),
                invalidParams("an ltp skipfile URL on a private address",
                        changed(LTP, root -> firstTest(root).put("parameters",
                                "tst_cmdfiles=smoketest skipfile=https://10.0.0.5/skipfile.yaml")),
                        "skipfile of test 'ltp-smoketest' refused: host 10.0.0.5 is a private address"),
                invalidParams("a top-level SKIPFILE URL with file://", changed(LTP, root -> {
                    firstTest(root).put("parameters", "tst_cmdfiles=smoketest");
                    root.withObjectProperty("parameters").put("SKIPFILE", "file:///etc/shadow");
                }), "parameters.SKIPFILE refused: not an http(s) URL: file:///etc/shadow"),
                invalidParams("a timeout longer than the platform's max runtime allows",
                        changed(BASELINE, root -> firstTest(root).put("timeout_s", 7000)),
                        "test 'boot-test-6825f9c0' may need 7600 s (timeout_s 7000 + 600 s setup) but platform "
                                + "'qemu-x86_64' allows max_runtime 7200 s"),
                invalidParams("a job timeout that leaves a test less than a minute after setup",
                        changed(BASELINE, root -> root.put("timeout", 650)),
                        "test 'boot-test-6825f9c0' may need 1200 s (timeout_s 600 + 600 s setup) but the job's"
                                + " timeout allows 650 s (platform 'qemu-x86_64' max_runtime 7200 s), less than"
                                + " 600 s setup + 60 s"),
                invalidParams("two kselftest tests (they would run the same vm-tests directory)",
                        changed(KSELFTEST, root -> root.withArrayProperty("tests").addObject().put("id", "k2")
                                .put("type", "kselftest-timers")),
                        "tests 'kselftest-arm64' and 'k2' would both run vm-tests 'kernelci-kselftest' (one test per"
                                + " vm-tests directory and job; only boot tests are merged)"));
    }

    /** Job definitions breaking some rule with a value that is a URL with credentials. */
    static Stream<Arguments> credentialsQuoted() {
        String url = "https://bot:s3cr3t@storage.kernelci.org/skip.yaml";
        return Stream.of(
                Arguments.of("a rootfs URL with credentials (refused artifact)",
                        changed(LTP, root -> root.withObjectProperty("artifacts").put("rootfs", url))),
                Arguments.of("a skipfile URL with credentials",
                        changed(LTP, root -> firstTest(root).put("parameters", "tst_cmdfiles=smoketest skipfile="
                                + url))),
                Arguments.of("a parameter that is not key=value but a URL",
                        changed(LTP, root -> firstTest(root).put("parameters", "tst_cmdfiles=smoketest " + url))),
                Arguments.of("timeout_s that is a URL (job_generation_error)",
                        changed(LTP, root -> firstTest(root).put("timeout_s", url))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedDefinitions")
    @DisplayName("a malformed or unsupported job definition is rejected with a code and a message naming the problem")
    void refused(Refused refused) {
        JobTicket ticket = ticket(BASELINE_NODE, "job", "", "");

        JobRejection rejection = rejected(translate(ticket, refused.json(), refused.config()));

        assertThat(rejection.code()).isEqualTo(refused.code());
        assertThat(rejection.message()).startsWith(refused.message());
    }

    @Nested
    @DisplayName("fromConfig: pullab_cloud's test_config")
    class FromConfig {

        @Test
        @DisplayName("every vms entry x each of its tests -> a group of min_count EC2 VMs, in order")
        void groups() {
            RunPlan plan = JobTranslator.fromConfig(labConfig(), SUFFIX, NOW);

            String x86 = LabConfig.AL2023_X86_64;
            String arm = LabConfig.AL2023_ARM64;
            // test_config.role_name is the VMs' instance profile; no root volume size, no nested virtualization
            VmOptions options = new VmOptions(OptionalInt.empty(), false, Optional.of("ecsTaskExecutionRole"));
            assertThat(plan.groups()).containsExactly(
                    new VmGroup(VmTestSpec.of("basic-test"), "x86_64", x86, "t3.micro", 1, 3600, options),
                    new VmGroup(VmTestSpec.of("example-reboot-test"), "x86_64", x86, "t3.micro", 1, 3600, options),
                    new VmGroup(VmTestSpec.of("basic-test"), "arm64", arm, "t4g.micro", 2, 1800, options));
        }

        @Test
        @DisplayName("the plan is an EC2 run without job node, test id <test_id>-<suffix>")
        void identity() {
            RunPlan plan = JobTranslator.fromConfig(labConfig(), SUFFIX, NOW);

            assertThat(plan.testId()).isEqualTo("test-001-a1b2c3");
            assertThat(plan.runPrefix()).isEqualTo("run_test-001-a1b2c3_20260520_101530");
            assertThat(plan.jobNodeId()).isEqualTo(Optional.empty());
            assertThat(plan.executor()).isEqualTo(Executor.EC2);
            assertThat(plan.expectedVms()).isEqualTo(4);
        }

        @Test
        @DisplayName("a config without test_config is refused")
        void noTestConfig() {
            assertThatThrownBy(() -> JobTranslator.fromConfig(LabConfig.defaults(), SUFFIX, NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the config has no test_config: nothing to run");
        }

        @Test
        @DisplayName("an empty vms list is refused")
        void emptyVms() {
            LabConfig config = LabConfig.parse(utf8("{\"test_config\":{\"test_id\":\"t\",\"role_name\":\"r\","
                    + "\"vms\":[]}}"));

            assertThatThrownBy(() -> JobTranslator.fromConfig(config, SUFFIX, NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("test_config.vms is empty: nothing to run");
        }

        @Test
        @DisplayName("a vms entry without tests is refused, naming it")
        void entryWithoutTests() {
            LabConfig config = LabConfig.parse(changed(JobFixtures.LAB_CONFIG, root -> ((ObjectNode) root
                    .get("test_config").get("vms").get(1)).putArray("test")));

            assertThatThrownBy(() -> JobTranslator.fromConfig(config, SUFFIX, NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("test_config.vms[1].test is empty: no test to run");
        }
    }

    @Test
    @DisplayName("the run prefix is run_<test id>_<yyyyMMdd_HHmmss> in UTC")
    void runPrefixFormat() {
        assertThat(JobTranslator.runPrefix("x", Instant.parse("2026-12-31T23:59:59.999Z")))
                .isEqualTo("run_x_20261231_235959");
    }

    @Test
    @DisplayName("PARAMS_ENV_KEYS are the variables of vm-tests/README.md \"What a stage sees\", in its order")
    void paramsEnvKeys() {
        assertThat(JobTranslator.PARAMS_ENV_KEYS).containsExactly(
                "PULLAB_JOB_NODE_ID", "PULLAB_JOB_NAME", "PULLAB_PLATFORM",
                "PULLAB_KERNEL_URL", "PULLAB_MODULES_URL", "PULLAB_ROOTFS_URL", "PULLAB_RAMDISK_URL",
                "PULLAB_DTB_URL", "PULLAB_KSELFTEST_URL", "PULLAB_TEST_ID", "PULLAB_TEST_TYPE", "PULLAB_TEST_TIMEOUT_S",
                "PULLAB_LTP_CMDFILES", "PULLAB_LTP_SKIPFILE", "PULLAB_LTP_WORKERS", "PULLAB_KSELFTEST_COLLECTION",
                "PULLAB_ALLOW_HTTP", "PULLAB_ALLOW_PRIVATE_URLS");
    }

    @Nested
    @DisplayName("the artifact URL policy (ArtifactUrlPolicy) applied to every URL a VM fetches")
    class ArtifactUrls {

        @Test
        @DisplayName("the default lab config refuses the baseline job: its ramdisk is plain http")
        void defaultRefusesPlainHttp() {
            JobRejection rejection = rejected(translate(baselineTicket(), bytes(BASELINE), LabConfig.defaults()));

            assertThat(rejection.code()).isEqualTo(ErrorCode.INVALID_JOB_PARAMS);
            assertThat(rejection.message()).isEqualTo("artifact 'ramdisk' refused: plain http (https only unless the "
                    + "lab config sets artifact_urls.allow_http): http://storage.kernelci.org/images/rootfs/buildroot/"
                    + "buildroot-baseline/20230703.0/x86/rootfs.cpio.gz");
        }

        @Test
        @DisplayName("a job whose URLs are all https and public runs on the default lab config; the VM is told "
                + "https only")
        void defaultAcceptsHttps() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("artifacts").remove("ramdisk"));

            RunPlan plan = planned(translate(baselineTicket(), json, LabConfig.defaults()));

            assertThat(plan.groups().get(0).test().params()).containsEntry("PULLAB_ALLOW_HTTP", "0")
                    .containsEntry("PULLAB_ALLOW_PRIVATE_URLS", "");
        }

        @Test
        @DisplayName("a lab that lists a private range in allow_private may serve artifacts from it")
        void allowPrivateRange() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("artifacts")
                    .put("kernel", "http://10.20.3.4:8080/bzImage"));

            RunPlan plan = planned(translate(baselineTicket(), json, labConfig()));

            assertThat(plan.groups().get(0).test().params())
                    .containsEntry("PULLAB_KERNEL_URL", "http://10.20.3.4:8080/bzImage")
                    .containsEntry("PULLAB_ALLOW_PRIVATE_URLS", "10.20.0.0/16");
        }

        @Test
        @DisplayName("a private address outside the lab's allow_private ranges is still refused")
        void otherPrivateRangeRefused() {
            byte[] json = changed(BASELINE, root -> root.withObjectProperty("artifacts")
                    .put("kernel", "http://10.21.0.1/bzImage"));

            JobRejection rejection = rejected(translate(baselineTicket(), json, labConfig()));

            assertThat(rejection.message())
                    .startsWith("artifact 'kernel' refused: host 10.21.0.1 is a private address");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.pullab.core.job.JobTranslatorTest#credentialsQuoted")
        @DisplayName("no rejection echoes the credentials of a URL it quotes, whatever the rule it breaks")
        void rejectionsRedactCredentials(String name, byte[] json) {
            JobRejection rejection = rejected(translate(ltpTicket(), json, DEFAULTS));

            assertThat(rejection.message()).contains("<user info>@").doesNotContain("s3cr3t");
        }

        @Test
        @DisplayName("a skipfile that is a name (looked up in the rootfs) is no URL and passes")
        void skipfileNameIsNoUrl() {
            RunPlan plan = planned(translate(ltpTicket(), bytes(LTP), LabConfig.defaults()));

            assertThat(plan.groups().get(0).test().params()).containsEntry("PULLAB_LTP_SKIPFILE", "skipfile-lkft.yaml");
        }
    }
}
