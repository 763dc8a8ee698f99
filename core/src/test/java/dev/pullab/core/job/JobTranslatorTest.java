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
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("JobTranslator: from a claimed KernelCI job to a run plan, or a rejection")
class JobTranslatorTest {

    /**
     * The default lab config with {@code artifact_urls.allow_http}: KernelCI storage serves the baseline fixture's
     * ramdisk over plain http, which the default artifact URL policy refuses (see {@link ArtifactUrls}).
     */
    private static final LabConfig DEFAULTS = withArtifactUrls(LabConfig.defaults(),
            new ArtifactUrlPolicy(true, List.of()));

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
                generationError("no tests", changed(BASELINE, root -> root.remove("tests")),
                        "invalid job definition: tests: missing"),
                generationError("empty tests", changed(BASELINE, root -> root.putArray("tests")),
                        "invalid job definition: tests: empty, a job definition needs at least one test"),
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
                invalidParams("an unknown test type", changed(BASELINE, root -> firstTest(root).put("type", "kunit")),
                        "unsupported test type 'kunit' (supported: boot, ltp, kselftest-*)"),
                invalidParams("kselftest- without a collection",
                        changed(BASELINE, root -> firstTest(root).put("type", "kselftest-")),
                        "unsupported test type 'kselftest-' (supported: boot, ltp, kselftest-*)"),
                invalidParams("an unknown platform", bytes(KSELFTEST),
                        "unknown platform 'exynos850-e850-96' (known: arm64-ec2, qemu-arm64, qemu-x86_64, x86_64-ec2)"),
                invalidParams("an arch other than the platform's",
                        changed(BASELINE, root -> root.withObjectProperty("environment").put("arch", "arm64")),
                        "job arch 'arm64' does not match arch 'x86_64' of platform 'qemu-x86_64'"),
                invalidParams("no platform at all",
                        changed(BASELINE, root -> root.withObjectProperty("environment").remove("platform")),
                        "the job names no platform (environment.platform and the node's data.platform are empty)"),
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
                invalidParams("two tests running the same vm-tests directory",
                        changed(BASELINE, root -> root.withArrayProperty("tests").addObject().put("id", "boot-2")
                                .put("type", "boot")),
                        "tests 'boot-test-6825f9c0' and 'boot-2' would both run vm-tests 'kernelci-boot'"));
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
