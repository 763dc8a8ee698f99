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
 *   <li>Platform: {@code environment.platform}, else the node's platform ({@code data.platform}, carried by the
 *       ticket); the two must agree when both are given. Looked up in {@link LabConfig#platforms()}, it gives
 *       executor, arch, AMI, instance type, VM count and max runtime.</li>
 *   <li>A platform not in the table (or no platform at all) is placed by arch, as pullab_cloud places its jobs:
 *       {@code environment.arch}, else the node's {@code data.arch}, else {@code arm64} when the platform name
 *       contains {@code arm64} or {@code aarch64}, else {@code x86_64}; the job runs on the lab's default EC2
 *       platform for that arch ({@code aws-ec2-<arch>}, {@link LabConfig#defaultEc2Platform}). An arch other than
 *       {@code x86_64}/{@code arm64} ({@code aarch64} = {@code arm64}) is refused, as is an arch the lab has no
 *       default EC2 platform for (the message says which platform to add).</li>
 *   <li>Arch: {@code environment.arch}, else the ticket's arch, must be the platform's.</li>
 *   <li>Tests: {@code boot} runs vm-tests {@code kernelci-boot}; {@code ltp} runs {@code kernelci-ltp} with
 *       {@code tst_cmdfiles}, {@code skipfile}, {@code workers} of its {@code parameters} string (skipfile and workers
 *       fall back to the top-level {@code SKIPFILE} and {@code KIRK_WORKERS}); {@code kselftest-<collection>} runs
 *       {@code kernelci-kselftest} ({@code kselftest} without a collection is refused). Every other type
 *       (pullab_cloud's {@code baseline} and {@code unixbench}, or one this lab does not know) runs the boot test, with
 *       {@code PULLAB_TEST_TYPE=boot}, and says so in a note. A type must be a name (letters, digits,
 *       {@code _.,:/+-}, at most 128 characters). A job without tests (no or empty {@code tests}) runs the boot test
 *       as {@code boot-test-<first 8 characters of the node id>} (KernelCI's default boot test) with
 *       {@code timeout_s} {@value JobDefinition#DEFAULT_TIMEOUT_S}, shortened to fit the max runtime. Each test is
 *       one {@link VmGroup} of the platform's VM count.</li>
 *   <li>Artifacts: every test needs {@code kernel}; on EC2 also {@code modules} (the VM installs both); ltp needs
 *       {@code rootfs}, kselftest needs {@code kselftest}. Every artifact URL, and an ltp {@code skipfile} given as a
 *       URL, must pass the lab's {@link ArtifactUrlPolicy} (https, a public host, no user info); the policy's opt-ins
 *       go to the VM in params.env ({@code PULLAB_ALLOW_HTTP}, {@code PULLAB_ALLOW_PRIVATE_URLS}).</li>
 *   <li>Time: the VMs' max runtime (their safety timer) is the platform's {@code max_runtime}, or the job's
 *       top-level {@code timeout} when that is shorter: a job can shorten a VM's life, never extend it beyond the
 *       lab's platform limit (pullab_cloud used the timeout, default 3600 s, as the max runtime; here a job without
 *       {@code timeout} keeps the platform's). A test's {@code timeout_s} bounds its stage, and {@code timeout_s}
 *       plus {@value #SETUP_ALLOWANCE_S} s (download, install, reboot) must fit in the platform's max runtime. When
 *       the job's own {@code timeout} is the tighter bound, a test that does not fit is shortened to what it leaves
 *       (at least {@value #MIN_STAGE_S} s, else refused), with a note: pullab_cloud ran the test until the VM
 *       stopped.</li>
 *   <li>Tests that run the boot test (several {@code boot}, {@code baseline}, {@code unixbench}, unknown types) are
 *       run once: one {@code kernelci-boot} group with the first such test's id and the longest of their
 *       {@code timeout_s}, and a note. Two other tests of one job may not run the same vm-tests directory (two
 *       {@code ltp} or two {@code kselftest-*}: their payloads would share an S3 key).</li>
 * </ul>
 * What was adapted (placement by arch, a type run as the boot test, merged boot tests, a shortened max runtime) is
 * returned as {@link Translation.Planned#notes()} for the caller to log.
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
    /** The shortest stage a job's {@code timeout} may leave a test when it shortens the test's {@code timeout_s}. */
    public static final int MIN_STAGE_S = 60;
    /** The vm-tests directory of each supported test type. */
    public static final String BOOT_TEST = "kernelci-boot";
    public static final String LTP_TEST = "kernelci-ltp";
    public static final String KSELFTEST_TEST = "kernelci-kselftest";

    /** The {@code PULLAB_TEST_TYPE} of a test that runs the boot test. */
    private static final String BOOT_TYPE = "boot";
    /** pullab_cloud's test types, run as the boot test (pullab_cloud ran them as its url-kernel-boot test). */
    private static final List<String> PULLAB_CLOUD_BOOT_TYPES = List.of("baseline", "unixbench");
    private static final String RUN_HERE = "boot, ltp, kselftest-<collection>";
    private static final String KSELFTEST_PREFIX = "kselftest-";
    private static final Pattern TEST_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.,:/+-]{0,127}");
    /** The longest piece of job-definition text quoted in a note. */
    private static final int QUOTE_CHARS = 100;
    private static final Pattern SUFFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
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
            List<String> notes = new ArrayList<>();
            RunPlan plan = plan(ticket, definition, config, runSuffix, now, notes);
            return new Translation.Planned(plan, notes);
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
            Instant now, List<String> notes) {
        String nodeId = ticket.nodeId();
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw reject("job node id '" + nodeId + "' is not usable in a run id (letters, digits, '_', '-' only)");
        }
        Platform platform = platform(ticket, definition, config, notes);
        checkArch(ticket, definition, platform);
        checkUrls(definition.artifacts(), config.artifactUrls());
        int maxRuntimeS = maxRuntime(definition, platform, notes);

        List<VmGroup> groups = new ArrayList<>();
        for (TestRun run : testRuns(nodeId, definition, maxRuntimeS, notes)) {
            TestRun fitted = fitTime(run, platform, maxRuntimeS, notes);
            VmTestSpec spec = testRun(ticket, definition, platform, fitted, config.artifactUrls());
            groups.add(new VmGroup(spec, platform.arch(), platform.image(), platform.instanceType(),
                    platform.vmCount(), maxRuntimeS));
        }
        String testId = "pulllab-" + nodeId + "-" + runSuffix;
        return new RunPlan(runPrefix(testId, now), testId, Optional.of(nodeId), platform.executor(), groups);
    }

    /**
     * A test of the job and how it runs here.
     *
     * @param test   the job's test (for merged boot tests: the first, with the longest {@code timeout_s})
     * @param vmTest the vm-tests directory that runs it
     * @param type   its {@code PULLAB_TEST_TYPE}: {@code boot} for every test run as the boot test, else its type
     */
    private record TestRun(TestDefinition test, String vmTest, String type) {
    }

    /** The job's tests as runs, in order, boot tests merged (class comment, rules "Tests" and "boot test"). */
    private static List<TestRun> testRuns(String nodeId, JobDefinition definition, int maxRuntimeS,
            List<String> notes) {
        if (definition.tests().isEmpty()) {
            // KernelCI's template renders this test when a job has none; pullab_cloud ran its boot test
            int timeoutS = Math.max(1, Math.min(JobDefinition.DEFAULT_TIMEOUT_S, maxRuntimeS - SETUP_ALLOWANCE_S));
            TestDefinition boot = new TestDefinition("boot-test-" + nodeId.substring(0, Math.min(8, nodeId.length())),
                    BOOT_TYPE, List.of(), timeoutS, Optional.empty(), Optional.empty(), List.of(), List.of());
            notes.add("the job names no tests: it runs the boot test (" + BOOT_TEST + ") as test '" + boot.id()
                    + "' with timeout_s " + timeoutS);
            return List.of(new TestRun(boot, BOOT_TEST, BOOT_TYPE));
        }
        List<TestRun> runs = new ArrayList<>();
        Map<String, Integer> runOfDirectory = new HashMap<>();
        for (TestDefinition test : definition.tests()) {
            TestRun run = resolve(test, notes);
            Integer earlier = runOfDirectory.putIfAbsent(run.vmTest(), runs.size());
            if (earlier == null) {
                runs.add(run);
                continue;
            }
            TestDefinition first = runs.get(earlier).test();
            if (!run.vmTest().equals(BOOT_TEST)) {
                throw reject("tests '" + first.id() + "' and '" + test.id() + "' would both run vm-tests '"
                        + run.vmTest() + "' (one test per vm-tests directory and job; only boot tests are merged)");
            }
            // every boot test boots the same kernel on the same platform: one boot run answers them all
            notes.add("test '" + quote(test.id()) + "' runs the boot test as test '" + quote(first.id())
                    + "' does: one " + BOOT_TEST + " run for both, timeout_s "
                    + Math.max(first.timeoutS(), test.timeoutS()));
            if (test.timeoutS() > first.timeoutS()) {
                runs.set(earlier, new TestRun(new TestDefinition(first.id(), first.type(), first.depends(),
                        test.timeoutS(), first.parameters(), first.subset(), first.preCommands(),
                        first.postCommands()), BOOT_TEST, BOOT_TYPE));
            }
        }
        return runs;
    }

    /** The vm-tests directory and {@code PULLAB_TEST_TYPE} of a test. */
    private static TestRun resolve(TestDefinition test, List<String> notes) {
        String type = test.type();
        if (!TEST_TYPE.matcher(type).matches()) {
            throw reject("test '" + quote(test.id()) + "' has type '" + quote(type) + "', which is not a test type"
                    + " name (letters, digits and _.,:/+- only, at most 128 characters)");
        }
        if (type.equals(BOOT_TYPE)) {
            return new TestRun(test, BOOT_TEST, type);
        }
        if (type.equals("ltp")) {
            return new TestRun(test, LTP_TEST, type);
        }
        if (type.startsWith(KSELFTEST_PREFIX) && type.length() > KSELFTEST_PREFIX.length()) {
            return new TestRun(test, KSELFTEST_TEST, type);
        }
        if (type.equals("kselftest") || type.equals(KSELFTEST_PREFIX)) {
            throw reject("kselftest test '" + quote(test.id()) + "' names no collection (type "
                    + "kselftest-<collection>, e.g. kselftest-timers)");
        }
        if (PULLAB_CLOUD_BOOT_TYPES.contains(type)) {
            notes.add("test '" + quote(test.id()) + "' of type '" + type + "' (pullab_cloud's name) runs the boot"
                    + " test (" + BOOT_TEST + ")");
        } else {
            notes.add("test '" + quote(test.id()) + "' has type '" + type + "', which this lab does not run ("
                    + RUN_HERE + "): it runs the boot test (" + BOOT_TEST + ") instead");
        }
        return new TestRun(test, BOOT_TEST, BOOT_TYPE);
    }

    /** The VMs' max runtime: the platform's, or the job's {@code timeout} when shorter (class comment, "Time"). */
    private static int maxRuntime(JobDefinition definition, Platform platform, List<String> notes) {
        if (definition.timeoutS().isEmpty()) {
            return platform.maxRuntimeS();
        }
        int timeout = definition.timeoutS().getAsInt();
        if (timeout < platform.maxRuntimeS()) {
            notes.add("the job's timeout " + timeout + " s bounds the VMs' max runtime (platform '" + platform.name()
                    + "' allows " + platform.maxRuntimeS() + " s)");
            return timeout;
        }
        if (timeout > platform.maxRuntimeS()) {
            notes.add("the job's timeout " + timeout + " s is longer than platform '" + platform.name() + "' allows:"
                    + " the VMs keep its max_runtime " + platform.maxRuntimeS() + " s");
        }
        return platform.maxRuntimeS();
    }

    private static Platform platform(JobTicket ticket, JobDefinition definition, LabConfig config,
            List<String> notes) {
        Optional<String> nodePlatform = nonBlank(ticket.platform());
        Optional<String> definitionPlatform = definition.environment().platform();
        if (nodePlatform.isPresent() && definitionPlatform.isPresent()
                && !nodePlatform.get().equals(definitionPlatform.get())) {
            // KernelCI scheduled the node for one platform; running it elsewhere would report a result for a
            // platform that never ran it
            throw reject("the job node's platform '" + nodePlatform.get() + "' (data.platform) differs from its job"
                    + " definition's platform '" + definitionPlatform.get() + "' (environment.platform)");
        }
        Optional<String> name = definitionPlatform.or(() -> nodePlatform);
        Optional<Platform> listed = name.flatMap(config::platform);
        if (listed.isPresent()) {
            return listed.get();
        }
        String unlisted = name.map(n -> "platform '" + quote(n) + "' is not in the lab's platforms table")
                .orElse("the job names no platform (environment.platform and the node's data.platform are empty)");
        String known = " (known: " + String.join(", ", config.platforms().keySet()) + ")";
        PlacementArch placement = placementArch(ticket, definition, name);
        if (!LabConfig.ARCHES.contains(placement.arch())) {
            throw reject(unlisted + known + ", and its arch '" + quote(placement.given()) + "' ("
                    + placement.source() + ") is not one this lab runs (" + String.join(", ", LabConfig.ARCHES)
                    + ", aarch64 = arm64)");
        }
        String defaultName = LabConfig.defaultEc2PlatformName(placement.arch());
        Platform fallback = config.defaultEc2Platform(placement.arch()).orElseThrow(() -> reject(unlisted + known
                + ", and the lab has no default EC2 platform for " + placement.arch() + " to run it on: add a"
                + " platform named '" + defaultName + "' (executor ec2, arch " + placement.arch()
                + ", ami_id, instance_type) to the lab config's platforms"));
        notes.add(unlisted + ": it runs on the lab's default EC2 platform '" + fallback.name() + "' (arch "
                + placement.arch() + " from " + placement.source() + ")");
        return fallback;
    }

    /**
     * The arch a job outside the platform table is placed by.
     *
     * @param arch   normalised ({@code aarch64} = {@code arm64}, lower case)
     * @param given  as the job or node gave it
     * @param source where it came from
     */
    private record PlacementArch(String arch, String given, String source) {
    }

    /** pullab_cloud's rule, with the node's {@code data.arch} before the guess from the name. */
    private static PlacementArch placementArch(JobTicket ticket, JobDefinition definition, Optional<String> name) {
        Optional<String> jobArch = definition.environment().arch();
        if (jobArch.isPresent()) {
            return new PlacementArch(normalArch(jobArch.get()), jobArch.get(), "environment.arch");
        }
        Optional<String> nodeArch = nonBlank(ticket.arch());
        if (nodeArch.isPresent()) {
            return new PlacementArch(normalArch(nodeArch.get()), nodeArch.get(), "the node's data.arch");
        }
        String lower = name.orElse("").toLowerCase(Locale.ROOT);
        if (lower.contains("arm64") || lower.contains("aarch64")) {
            return new PlacementArch("arm64", "arm64", "the platform name");
        }
        return new PlacementArch("x86_64", "x86_64", "the default, no arch given");
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

    private static VmTestSpec testRun(JobTicket ticket, JobDefinition definition, Platform platform, TestRun run,
            ArtifactUrlPolicy policy) {
        Artifacts artifacts = definition.artifacts();
        TestDefinition test = run.test();
        String type = run.type();
        String name = run.vmTest();
        require(artifacts, "kernel", test);
        if (platform.executor() == Executor.EC2) {
            require(artifacts, "modules", test);
        }
        Map<String, String> params = baseParams(ticket, artifacts, platform, test, type);
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
            // its characters were checked with the type's (TEST_TYPE)
            String collection = type.substring(KSELFTEST_PREFIX.length());
            require(artifacts, "kselftest", test);
            params.put("PULLAB_KSELFTEST_COLLECTION", collection);
        }
        return new VmTestSpec(name, params);
    }

    private static Map<String, String> baseParams(JobTicket ticket, Artifacts artifacts, Platform platform,
            TestDefinition test, String type) {
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
        params.put("PULLAB_TEST_TYPE", type);
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

    /**
     * The test with a {@code timeout_s} that fits the VMs' max runtime (class comment, rule "Time"): unchanged when
     * it fits; shortened, with a note, when the job's own {@code timeout} is the bound and leaves at least
     * {@value #MIN_STAGE_S} s (pullab_cloud let such a test run until the VM stopped); refused otherwise.
     */
    private static TestRun fitTime(TestRun run, Platform platform, int maxRuntimeS, List<String> notes) {
        TestDefinition test = run.test();
        int needed = test.timeoutS() + SETUP_ALLOWANCE_S;
        if (needed <= maxRuntimeS) {
            return run;
        }
        boolean jobBound = maxRuntimeS < platform.maxRuntimeS();
        int room = maxRuntimeS - SETUP_ALLOWANCE_S;
        if (jobBound && room >= MIN_STAGE_S) {
            notes.add("test '" + quote(test.id()) + "' has timeout_s " + test.timeoutS() + " but the job's timeout "
                    + maxRuntimeS + " s leaves " + room + " s after " + SETUP_ALLOWANCE_S + " s setup: its stage"
                    + " timeout is " + room + " s");
            return new TestRun(new TestDefinition(test.id(), test.type(), test.depends(), room, test.parameters(),
                    test.subset(), test.preCommands(), test.postCommands()), run.vmTest(), run.type());
        }
        String limit = jobBound
                ? "the job's timeout allows " + maxRuntimeS + " s (platform '" + platform.name()
                        + "' max_runtime " + platform.maxRuntimeS() + " s), less than " + SETUP_ALLOWANCE_S
                        + " s setup + " + MIN_STAGE_S + " s"
                : "platform '" + platform.name() + "' allows max_runtime " + platform.maxRuntimeS() + " s";
        throw reject("test '" + test.id() + "' may need " + needed + " s (timeout_s " + test.timeoutS() + " + "
                + SETUP_ALLOWANCE_S + " s setup) but " + limit);
    }

    /** Job-definition text fit for a note: at most {@value #QUOTE_CHARS} characters, control characters as '?'. */
    private static String quote(String text) {
        String cut = text.length() > QUOTE_CHARS ? text.substring(0, QUOTE_CHARS) + "…" : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
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
