package dev.pullab.core.job;

import dev.pullab.core.job.JobDefinition.Artifacts;
import dev.pullab.core.job.JobDefinition.TestDefinition;
import dev.pullab.core.job.LabConfig.Platform;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmTestSpec;
import dev.pullab.core.run.VmGroup;
import dev.pullab.core.run.VmOptions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.job.JobTicket;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a claimed KernelCI job (ticket + PULL_LABS job definition) into a {@link RunPlan}, or into a
 * {@link JobRejection} saying why this lab cannot run it; and pullab_cloud's {@code test_config} into the plan of a
 * BuildComplete or scheduled run. Pure: no I/O, no clock, no randomness (the caller passes {@code now} and the run
 * suffix).
 *
 * <h2>Job rules</h2>
 * <ul>
 *   <li>Platform: {@code environment.platform}, else the ticket's platform (the two must agree when both are
 *       given), looked up in
 *       {@link LabConfig#platforms()}; it gives executor, arch, AMI, instance type, VM count and max runtime.</li>
 *   <li>Arch: {@code environment.arch}, else the ticket's arch ({@code aarch64} = {@code arm64}), must be the
 *       platform's.</li>
 *   <li>Tests: {@code boot} runs vm-tests {@code kernelci-boot}; {@code ltp} runs {@code kernelci-ltp} with
 *       {@code tst_cmdfiles}, {@code skipfile}, {@code workers} of its {@code parameters} string (skipfile and workers
 *       fall back to the top-level {@code SKIPFILE} and {@code KIRK_WORKERS}); {@code kselftest-<collection>} runs
 *       {@code kernelci-kselftest}. Each test is one {@link VmGroup} of the platform's VM count.</li>
 *   <li>Artifacts: every test needs {@code kernel}; on EC2 also {@code modules} (the VM installs both); ltp needs
 *       {@code rootfs}, kselftest needs {@code kselftest}. Every artifact URL, and an ltp {@code skipfile} given as a
 *       URL, must pass the lab's {@link ArtifactUrlPolicy} (https, a public host, no user info); the policy's opt-ins
 *       go to the VM in params.env ({@code PULLAB_ALLOW_HTTP}, {@code PULLAB_ALLOW_PRIVATE_URLS}).</li>
 *   <li>Time: a test's {@code timeout_s} plus {@value #SETUP_ALLOWANCE_S} s (download, install, reboot) must fit in
 *       the platform's max runtime, the VM's safety timer.</li>
 *   <li>Two tests of one job may not run the same vm-tests directory (their payloads would share an S3 key).</li>
 * </ul>
 * A plan's test id is {@code pulllab-<node id>-<run suffix>} and its prefix
 * {@code run_<test id>_<yyyyMMdd_HHmmss UTC>}.
 */
public final class JobTranslator {

    /** The {@code params.env} variables every KernelCI test gets, in this order (vm-tests/README.md). */
    public static final List<String> PARAMS_ENV_KEYS = List.of(
            "PULLAB_JOB_NODE_ID", "PULLAB_JOB_NAME", "PULLAB_PLATFORM",
            "PULLAB_KERNEL_URL", "PULLAB_MODULES_URL", "PULLAB_ROOTFS_URL", "PULLAB_RAMDISK_URL", "PULLAB_DTB_URL",
            "PULLAB_KSELFTEST_URL",
            "PULLAB_TEST_ID", "PULLAB_TEST_TYPE", "PULLAB_TEST_TIMEOUT_S",
            "PULLAB_LTP_CMDFILES", "PULLAB_LTP_SKIPFILE", "PULLAB_LTP_WORKERS",
            "PULLAB_KSELFTEST_COLLECTION",
            ArtifactUrlPolicy.ALLOW_HTTP_PARAM, ArtifactUrlPolicy.ALLOW_PRIVATE_PARAM);
    /**
     * The {@code params.env} variables pullab_cloud's vm-tests read, which every KernelCI test gets too
     * (vm-tests/README.md): {@code KERNEL_URL}, {@code MODULES_URL}, {@code ROOTFS_URL} (the job's rootfs, else its
     * ramdisk), {@code ARCH} (the platform's), {@code KERNELCI_NODE_ID}, {@code PULL_LABS_TESTS}
     * ({@code id:type,...}) and {@code PULL_LABS_TESTS_JSON} ({@code [{"id","type","parameters","timeout_s"}]}) of
     * the tests the VM runs.
     */
    public static final List<String> PULL_LABS_ENV_KEYS = List.of("KERNEL_URL", "MODULES_URL", "ROOTFS_URL", "ARCH",
            "KERNELCI_NODE_ID", "PULL_LABS_TESTS", "PULL_LABS_TESTS_JSON");
    /** Seconds a VM needs besides the test itself: downloads, kernel install, reboot. */
    public static final int SETUP_ALLOWANCE_S = 600;
    /** The vm-tests directory of each supported test type. */
    public static final String BOOT_TEST = "kernelci-boot";
    public static final String LTP_TEST = "kernelci-ltp";
    public static final String KSELFTEST_TEST = "kernelci-kselftest";

    private static final String SUPPORTED = "supported: boot, ltp, kselftest-*";
    private static final String KSELFTEST_PREFIX = "kselftest-";
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_.,:/+-]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private JobTranslator() {
    }

    /**
     * Parses a downloaded job definition and translates it; never throws for a bad document.
     *
     * @return {@link Translation.Planned}, or a {@link JobRejection}: {@code job_generation_error} when the bytes are
     *         not a PULL_LABS job definition, {@code invalid_job_params} when this lab cannot run it
     * @throws IllegalArgumentException when {@code runSuffix} is not {@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}} (a caller
     *                                  bug, not a property of the job)
     */
    public static Translation translate(JobTicket ticket, byte[] definitionJson, LabConfig config, String runSuffix,
            Instant now) {
        requireSuffix(runSuffix);
        JobDefinition definition;
        try {
            definition = JobDefinition.parse(definitionJson);
        } catch (InvalidJobDefinitionException e) {
            return e.rejection();
        }
        return translate(ticket, definition, config, runSuffix, now);
    }

    /**
     * Translates a parsed job definition (rules in the class comment).
     *
     * @return {@link Translation.Planned}, or an {@code invalid_job_params} {@link JobRejection} naming the problem
     * @throws IllegalArgumentException when {@code runSuffix} is not {@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}}
     */
    public static Translation translate(JobTicket ticket, JobDefinition definition, LabConfig config,
            String runSuffix, Instant now) {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(now, "now");
        requireSuffix(runSuffix);
        try {
            return new Translation.Planned(plan(ticket, definition, config, runSuffix, now));
        } catch (Rejected e) {
            return e.rejection;
        }
    }

    /**
     * The plan of a BuildComplete or scheduled run, pullab_cloud's semantics: for each {@code test_config.vms[]}
     * entry, in order, and each of its tests, a {@link VmGroup} of {@code min_count} EC2 VMs (arch from the AMI, see
     * {@link LabConfig.VmSpec#arch()}); test id {@code <test_id>-<runSuffix>}; no job node. The entry's
     * {@code test_params} become the test's params.env variables; its {@code root_volume_size} and nested
     * virtualization, and {@code test_config.role_name} as instance profile, its {@link VmOptions}.
     *
     * @throws IllegalArgumentException naming the problem when the config has no {@code test_config}, its
     *                                  {@code vms} is empty or an entry has no tests, or {@code runSuffix} is not
     *                                  {@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}}
     */
    public static RunPlan fromConfig(LabConfig config, String runSuffix, Instant now) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(now, "now");
        requireSuffix(runSuffix);
        LabConfig.TestConfig testConfig = config.testConfig()
                .orElseThrow(() -> new IllegalArgumentException("the config has no test_config: nothing to run"));
        if (testConfig.vms().isEmpty()) {
            throw new IllegalArgumentException("test_config.vms is empty: nothing to run");
        }
        List<VmGroup> groups = new ArrayList<>();
        Map<String, Integer> entryOfTest = new HashMap<>();
        for (int i = 0; i < testConfig.vms().size(); i++) {
            LabConfig.VmSpec vm = testConfig.vms().get(i);
            if (vm.tests().isEmpty()) {
                throw new IllegalArgumentException("test_config.vms[" + i + "].test is empty: no test to run");
            }
            VmOptions options = new VmOptions(vm.rootVolumeGiB(), vm.nestedVirtualization(), testConfig.roleName());
            for (String test : vm.tests()) {
                // a test has one payload per run (test_<name>/input/), so one params.env: entries running the
                // same test must agree on its test_params
                Integer earlier = entryOfTest.putIfAbsent(test, i);
                if (earlier != null && !testConfig.vms().get(earlier).testParams().equals(vm.testParams())) {
                    throw new IllegalArgumentException("test_config.vms[" + earlier + "] and vms[" + i + "] both run '"
                            + test + "' with different test_params, but a run has one payload (and params.env) per"
                            + " test: give them the same test_params, or run them in separate configs");
                }
                groups.add(new VmGroup(new VmTestSpec(test, vm.testParams()), vm.arch(), vm.amiId(),
                        vm.instanceType(), vm.minCount(), vm.maxRuntimeS(), options));
            }
        }
        String testId = testConfig.testId() + "-" + runSuffix;
        return new RunPlan(runPrefix(testId, now), testId, Optional.empty(), Executor.EC2, groups);
    }

    /** {@code run_<testId>_<yyyyMMdd_HHmmss>} with {@code now} in UTC (pullab_cloud's run prefix). */
    public static String runPrefix(String testId, Instant now) {
        return "run_" + testId + "_" + STAMP.format(now);
    }

    private static RunPlan plan(JobTicket ticket, JobDefinition definition, LabConfig config, String runSuffix,
            Instant now) {
        String nodeId = ticket.nodeId();
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw reject("job node id '" + nodeId + "' is not usable in a run id (letters, digits, '_', '-' only)");
        }
        Platform platform = platform(ticket, definition, config);
        checkArch(ticket, definition, platform);
        checkUrls(definition.artifacts(), config.artifactUrls());

        List<VmGroup> groups = new ArrayList<>();
        Map<String, String> testOfDirectory = new HashMap<>();
        for (TestDefinition test : definition.tests()) {
            VmTestSpec run = testRun(ticket, definition, platform, test, config.artifactUrls());
            String earlier = testOfDirectory.putIfAbsent(run.name(), test.id());
            if (earlier != null) {
                throw reject("tests '" + earlier + "' and '" + test.id() + "' would both run vm-tests '" + run.name()
                        + "' (one test per vm-tests directory and job)");
            }
            checkTime(test, platform);
            groups.add(new VmGroup(run, platform.arch(), platform.image(), platform.instanceType(),
                    platform.vmCount(), platform.maxRuntimeS()));
        }
        String testId = "pulllab-" + nodeId + "-" + runSuffix;
        return new RunPlan(runPrefix(testId, now), testId, Optional.of(nodeId), platform.executor(), groups);
    }

    private static Platform platform(JobTicket ticket, JobDefinition definition, LabConfig config) {
        Optional<String> nodePlatform = nonBlank(ticket.platform());
        Optional<String> definitionPlatform = definition.environment().platform();
        if (nodePlatform.isPresent() && definitionPlatform.isPresent()
                && !nodePlatform.get().equals(definitionPlatform.get())) {
            // KernelCI scheduled the node for one platform; running it elsewhere would report a result for a
            // platform that never ran it
            throw reject("the job node's platform '" + nodePlatform.get() + "' (data.platform) differs from its job"
                    + " definition's platform '" + definitionPlatform.get() + "' (environment.platform)");
        }
        String name = definitionPlatform
                .or(() -> nodePlatform)
                .orElseThrow(() -> reject("the job names no platform (environment.platform and the node's "
                        + "data.platform are empty)"));
        return config.platform(name).orElseThrow(() -> reject("unknown platform '" + name + "' (known: "
                + String.join(", ", config.platforms().keySet()) + ")"));
    }

    private static void checkArch(JobTicket ticket, JobDefinition definition, Platform platform) {
        Optional<String> jobArch = definition.environment().arch().or(() -> nonBlank(ticket.arch()));
        jobArch.ifPresent(arch -> {
            if (!normalArch(arch).equals(platform.arch())) {
                throw reject("job arch '" + arch + "' does not match arch '" + platform.arch() + "' of platform '"
                        + platform.name() + "'");
            }
        });
    }

    private static String normalArch(String arch) {
        String lower = arch.trim().toLowerCase(Locale.ROOT);
        return lower.equals("aarch64") ? "arm64" : lower;
    }

    private static void checkUrls(Artifacts artifacts, ArtifactUrlPolicy policy) {
        artifacts.present().forEach((name, url) ->
                policy.refuse("artifact '" + name + "'", url).ifPresent(why -> {
                    throw reject(why);
                }));
    }

    private static VmTestSpec testRun(JobTicket ticket, JobDefinition definition, Platform platform,
            TestDefinition test, ArtifactUrlPolicy policy) {
        Artifacts artifacts = definition.artifacts();
        String type = test.type();
        String name = vmTest(type);
        require(artifacts, "kernel", test);
        if (platform.executor() == Executor.EC2) {
            require(artifacts, "modules", test);
        }
        Map<String, String> params = baseParams(ticket, artifacts, platform, test);
        params.putAll(policy.vmParams());
        params.putAll(pullLabsParams(ticket, artifacts, platform, List.of(test)));
        if (name.equals(LTP_TEST)) {
            require(artifacts, "rootfs", test);
            Map<String, String> ltp = keyValues(test);
            String cmdfiles = nonBlank(ltp.get("tst_cmdfiles"))
                    .orElseThrow(() -> reject("ltp test '" + test.id() + "' has no tst_cmdfiles parameter"));
            params.put("PULLAB_LTP_CMDFILES", cmdfiles);
            String skipfile = firstOf(ltp.get("skipfile"), definition.parameters().get("SKIPFILE"));
            if (skipfile.contains("://")) {
                // the VM downloads a skip file given as a URL (a name is looked up in the rootfs)
                String what = nonBlank(ltp.get("skipfile")).isPresent()
                        ? "skipfile of test '" + test.id() + "'" : "parameters.SKIPFILE";
                policy.refuse(what, skipfile).ifPresent(why -> {
                    throw reject(why);
                });
            }
            params.put("PULLAB_LTP_SKIPFILE", skipfile);
            params.put("PULLAB_LTP_WORKERS",
                    firstOf(ltp.get("workers"), definition.parameters().get("KIRK_WORKERS")));
        } else if (name.equals(KSELFTEST_TEST)) {
            String collection = type.substring(KSELFTEST_PREFIX.length());
            if (!COLLECTION.matcher(collection).matches()) {
                throw reject("kselftest collection '" + collection + "' of test '" + test.id()
                        + "' has unexpected characters");
            }
            require(artifacts, "kselftest", test);
            params.put("PULLAB_KSELFTEST_COLLECTION", collection);
        }
        return new VmTestSpec(name, params);
    }

    /** The vm-tests directory running a test type. */
    private static String vmTest(String type) {
        if (type.equals("boot")) {
            return BOOT_TEST;
        }
        if (type.equals("ltp")) {
            return LTP_TEST;
        }
        if (type.startsWith(KSELFTEST_PREFIX) && type.length() > KSELFTEST_PREFIX.length()) {
            return KSELFTEST_TEST;
        }
        throw reject("unsupported test type '" + type + "' (" + SUPPORTED + ")");
    }

    private static Map<String, String> baseParams(JobTicket ticket, Artifacts artifacts, Platform platform,
            TestDefinition test) {
        Map<String, String> params = new LinkedHashMap<>();
        PARAMS_ENV_KEYS.forEach(key -> params.put(key, ""));
        params.put("PULLAB_JOB_NODE_ID", ticket.nodeId());
        params.put("PULLAB_JOB_NAME", Objects.requireNonNullElse(ticket.name(), ""));
        params.put("PULLAB_PLATFORM", platform.name());
        params.put("PULLAB_KERNEL_URL", artifacts.kernel().orElse(""));
        params.put("PULLAB_MODULES_URL", artifacts.modules().orElse(""));
        params.put("PULLAB_ROOTFS_URL", artifacts.rootfs().orElse(""));
        // the initramfs a QEMU boot runs (the job's ramdisk, else its initrd); VMs boot their own userspace
        params.put("PULLAB_RAMDISK_URL", artifacts.ramdisk().or(artifacts::initrd).orElse(""));
        params.put("PULLAB_DTB_URL", artifacts.dtb().orElse(""));
        params.put("PULLAB_KSELFTEST_URL", artifacts.kselftest().orElse(""));
        params.put("PULLAB_TEST_ID", test.id());
        params.put("PULLAB_TEST_TYPE", test.type());
        params.put("PULLAB_TEST_TIMEOUT_S", Integer.toString(test.timeoutS()));
        return params;
    }

    /** pullab_cloud's variables ({@link #PULL_LABS_ENV_KEYS}) for a VM running {@code tests}; empty when absent. */
    private static Map<String, String> pullLabsParams(JobTicket ticket, Artifacts artifacts, Platform platform,
            List<TestDefinition> tests) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("KERNEL_URL", artifacts.kernel().orElse(""));
        params.put("MODULES_URL", artifacts.modules().orElse(""));
        params.put("ROOTFS_URL", artifacts.rootfs().or(artifacts::ramdisk).orElse(""));
        params.put("ARCH", platform.arch());
        params.put("KERNELCI_NODE_ID", ticket.nodeId());
        params.put("PULL_LABS_TESTS", String.join(",", tests.stream().map(t -> t.id() + ":" + t.type()).toList()));
        List<Map<String, Object>> described = new ArrayList<>();
        for (TestDefinition test : tests) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", test.id());
            entry.put("type", test.type());
            entry.put("parameters", test.parameters().orElse(""));
            entry.put("timeout_s", test.timeoutS());
            described.add(entry);
        }
        try {
            params.put("PULL_LABS_TESTS_JSON", JSON.writeValueAsString(described));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write PULL_LABS_TESTS_JSON", e);
        }
        return params;
    }

    private static void require(Artifacts artifacts, String artifact, TestDefinition test) {
        if (artifacts.get(artifact).isEmpty()) {
            throw reject("job definition has no " + artifact + " artifact (needed by test " + test.id() + ")");
        }
    }

    /** The {@code parameters} string as {@code key=value} pairs separated by white space. */
    private static Map<String, String> keyValues(TestDefinition test) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String token : test.parameters().orElse("").trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            if (eq < 1) {
                throw reject("parameter '" + token + "' of test '" + test.id() + "' is not key=value");
            }
            pairs.put(token.substring(0, eq), token.substring(eq + 1));
        }
        return pairs;
    }

    private static void checkTime(TestDefinition test, Platform platform) {
        int needed = test.timeoutS() + SETUP_ALLOWANCE_S;
        if (needed > platform.maxRuntimeS()) {
            throw reject("test '" + test.id() + "' may need " + needed + " s (timeout_s " + test.timeoutS() + " + "
                    + SETUP_ALLOWANCE_S + " s setup) but platform '" + platform.name() + "' allows max_runtime "
                    + platform.maxRuntimeS() + " s");
        }
    }

    private static String firstOf(String first, String second) {
        return nonBlank(first).or(() -> nonBlank(second)).orElse("");
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(s -> !s.isBlank());
    }

    private static void requireSuffix(String runSuffix) {
        Objects.requireNonNull(runSuffix, "runSuffix");
        if (!SUFFIX.matcher(runSuffix).matches()) {
            throw new IllegalArgumentException("run suffix must match " + SUFFIX.pattern() + ", got '" + runSuffix
                    + "'");
        }
    }

    private static Rejected reject(String message) {
        return new Rejected(JobRejection.invalidParams(message));
    }

    /** Short-cuts {@link #plan} with a rejection; never leaves this class. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient JobRejection rejection;

        Rejected(JobRejection rejection) {
            super(rejection.message(), null, false, false);
            this.rejection = rejection;
        }
    }
}
