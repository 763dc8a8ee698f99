package dev.pullab.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.run.Executor;
import dev.pullab.core.run.StageParams;
import dev.pullab.core.run.VmOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The lab's configuration: pullab_cloud's {@code config.json} ({@code test_config}, {@code storage}; other sections
 * such as {@code ecs} or {@code kernelci} are ignored here) plus the KernelCI platform table and the job-definition
 * download policy.
 *
 * <pre>{@code
 * {
 *   "test_config": {"test_id": "test-001", "role_name": "ecsTaskExecutionRole",
 *                   "vms": [{"ami_id": "resolve:ssm:/aws/service/...", "instance_type": "c8i.4xlarge",
 *                            "max_runtime": 3600, "test": ["url-kernel-boot"], "min_count": 1,
 *                            "root_volume_size": 40, "nested_virtualization": false,
 *                            "test_params": {"KERNEL_URL": "https://..."}}]},
 *   "storage": {"type": "s3", "bucket": "kernel-ci-results", "results_prefix": "results"},
 *   "platforms": {"qemu-x86_64": {"executor": "fargate", "arch": "x86_64"},
 *                 "x86_64-ec2": {"executor": "ec2", "arch": "x86_64", "ami_id": "resolve:ssm:/aws/service/...",
 *                                "instance_type": "m5.large", "vm_count": 1, "max_runtime": 3600}},
 *   "job_definitions": {"allowed_hosts": ["files.kernelci.org", "storage.kernelci.org"], "max_bytes": 1048576},
 *   "artifact_urls": {"allow_http": false, "allow_private": ["10.20.0.0/16"]}
 * }
 * }</pre>
 * Without {@code platforms} the table of {@link #defaults()} is used; a {@code platforms} object replaces it as a
 * whole. The platforms named {@code aws-ec2-x86_64} and {@code aws-ec2-arm64} ({@link #defaultEc2PlatformName},
 * pullab_cloud's platform names) are the lab's <em>default EC2 platforms</em>: a job whose platform is not in the
 * table runs on the one of its arch ({@link JobTranslator}); each must be an EC2 platform of that arch. The default
 * table has both; a lab with its own table adds them to keep that placement (without them such jobs are refused).
 * Without {@code job_definitions} (or one of its keys) the default policy applies; without
 * {@code artifact_urls} (or one of its keys) artifact URLs must be https and public ({@link ArtifactUrlPolicy}).
 * Unknown keys in a platform, in {@code job_definitions} or in {@code artifact_urls} are refused. pullab_cloud's own
 * sections stay lenient but never silent: an unknown key of {@code test_config} or of a {@code vms[]} entry, and a
 * top-level section this lab does not use (pullab_cloud's setup sections: {@code provider}, {@code region},
 * {@code roles}, {@code ecs}, ...; {@code kernelci} is read by infra-cdk at deploy time) is a {@link #warnings()
 * warning} naming it.
 *
 * @param testConfig     {@code test_config}, for BuildComplete and scheduled runs
 * @param storage        {@code storage}
 * @param platforms      KernelCI platform name to how this lab runs it
 * @param jobDefinitions where job definitions may be downloaded from, and how large they may be
 * @param artifactUrls   which artifact URLs test VMs may be told to fetch ({@code artifact_urls})
 * @param warnings       keys of the file this lab does not use, each named with its JSON path and why
 */
public record LabConfig(Optional<TestConfig> testConfig, Optional<Storage> storage, Map<String, Platform> platforms,
        JobDefinitionPolicy jobDefinitions, ArtifactUrlPolicy artifactUrls, List<String> warnings) {

    /** Safety timer of a platform or {@code vms[]} entry without {@code max_runtime}, seconds. */
    public static final int DEFAULT_PLATFORM_MAX_RUNTIME_S = 7200;
    /** {@code max_runtime} of a {@code test_config.vms[]} entry without one, seconds. */
    public static final int DEFAULT_VM_MAX_RUNTIME_S = 3600;
    /** The shortest safety timer accepted (as {@link dev.pullab.core.run.VmGroup}), seconds. */
    public static final int MIN_RUNTIME_S = 60;
    /** The longest safety timer accepted: two days, seconds. */
    public static final int MAX_RUNTIME_S = 172_800;
    /** Public SSM parameter of the latest Amazon Linux 2023 AMI, x86_64. */
    public static final String AL2023_X86_64 =
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    /** Public SSM parameter of the latest Amazon Linux 2023 AMI, arm64. */
    public static final String AL2023_ARM64 =
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

    /** The architectures a platform may have. */
    public static final List<String> ARCHES = List.of("x86_64", "arm64");
    /** Name prefix of a lab's default EC2 platform of an arch ({@link #defaultEc2PlatformName}). */
    public static final String DEFAULT_EC2_PREFIX = "aws-ec2-";

    private static final String WHAT = "lab config";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /**
     * The keys of a {@code platforms} entry and of {@code job_definitions}: this lab's own blocks, so unknown keys are
     * refused (a misspelt {@code vm_count} would silently run one VM). pullab_cloud's sections stay lenient.
     */
    private static final Set<String> PLATFORM_KEYS =
            Set.of("executor", "arch", "ami_id", "instance_type", "vm_count", "max_runtime");
    private static final Set<String> POLICY_KEYS = Set.of("allowed_hosts", "max_bytes");
    private static final Set<String> ARTIFACT_URL_KEYS = Set.of("allow_http", "allow_private");
    private static final Pattern HOST_ENTRY = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
    /** The top-level keys this lab reads at run time, and {@code kernelci}, which infra-cdk reads at deploy time. */
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("test_config", "platforms", "job_definitions",
            ArtifactUrlPolicy.CONFIG_KEY, "kernelci");
    /**
     * pullab_cloud's setup sections: its {@code setup} command creates from them what the pullab stack (infra-cdk)
     * provides here, so they are reported, not used.
     */
    private static final Set<String> SETUP_KEYS = Set.of("provider", "region", "auth_credentials", "roles", "ecr",
            "docker", "ecs", "cloudwatch", "force_recreate_roles", "storage", "external_storage");
    private static final Set<String> TEST_CONFIG_KEYS = Set.of("test_id", "role_name", "vms");
    private static final Set<String> VM_KEYS = Set.of("ami_id", "instance_type", "max_runtime", "test", "min_count",
            "test_params", "root_volume_size", "nested_virtualization");
    /** An IAM role / instance profile name. */
    private static final Pattern IAM_NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,128}");

    public LabConfig {
        Objects.requireNonNull(testConfig, "testConfig");
        Objects.requireNonNull(storage, "storage");
        platforms = Collections.unmodifiableMap(new TreeMap<>(platforms));
        Objects.requireNonNull(jobDefinitions, "jobDefinitions");
        Objects.requireNonNull(artifactUrls, "artifactUrls");
        warnings = List.copyOf(warnings);
        platforms.forEach((name, platform) -> {
            if (!name.equals(platform.name())) {
                throw new IllegalArgumentException("platform '" + platform.name() + "' is filed under '" + name
                        + "'");
            }
        });
        for (String arch : ARCHES) {
            Platform fallback = platforms.get(defaultEc2PlatformName(arch));
            if (fallback != null && (fallback.executor() != Executor.EC2 || !fallback.arch().equals(arch))) {
                throw new IllegalArgumentException("platform " + fallback.name() + " is the lab's default EC2 "
                        + "platform for " + arch + " (jobs on platforms outside the table run on it): it must have "
                        + "executor ec2 and arch " + arch + ", got " + fallback.executor().name()
                        .toLowerCase(Locale.ROOT) + " and " + fallback.arch());
            }
        }
    }

    /**
     * The name of the lab's default EC2 platform for {@code arch}: {@code aws-ec2-<arch>}, e.g.
     * {@code aws-ec2-x86_64}.
     */
    public static String defaultEc2PlatformName(String arch) {
        return DEFAULT_EC2_PREFIX + arch;
    }

    /** The lab's default EC2 platform for {@code arch} ({@code aws-ec2-<arch>}), if its table has one. */
    public Optional<Platform> defaultEc2Platform(String arch) {
        return platform(defaultEc2PlatformName(arch));
    }

    /** A lab config without warnings. */
    public LabConfig(Optional<TestConfig> testConfig, Optional<Storage> storage, Map<String, Platform> platforms,
            JobDefinitionPolicy jobDefinitions, ArtifactUrlPolicy artifactUrls) {
        this(testConfig, storage, platforms, jobDefinitions, artifactUrls, List.of());
    }

    /**
     * pullab_cloud's {@code test_config}.
     *
     * @param testId   run id stem, e.g. {@code test-001} (a unique suffix and a timestamp are added per run)
     * @param roleName {@code role_name}: the instance profile of the EC2 instances (pullab_cloud gives its role and
     *                 instance profile the same name); empty: the lab's instance profile
     * @param vms      the VM kinds to start (may be empty here; {@link JobTranslator#fromConfig} refuses that)
     */
    public record TestConfig(String testId, Optional<String> roleName, List<VmSpec> vms) {

        public TestConfig {
            Objects.requireNonNull(testId, "testId");
            Objects.requireNonNull(roleName, "roleName");
            vms = List.copyOf(vms);
        }
    }

    /**
     * One {@code test_config.vms[]} entry: {@code minCount} VMs for each of {@code tests}.
     *
     * @param amiId        AMI id or {@code resolve:ssm:<public parameter>}
     * @param instanceType EC2 instance type
     * @param maxRuntimeS  {@code max_runtime}, the VMs' safety timer
     * @param tests        {@code test}: vm-tests directories
     * @param minCount     {@code min_count}: VMs per test
     * @param testParams   {@code test_params}: variables every stage of these VMs gets (params.env), keys upper-cased
     *                     as pullab_cloud exported them, values as text
     * @param rootVolumeGiB        {@code root_volume_size}, GiB; empty: the AMI's size
     * @param nestedVirtualization {@code nested_virtualization}; when absent, on exactly for the instance families
     *                             that support it ({@link VmOptions#supportsNestedVirtualization}), as pullab_cloud
     */
    public record VmSpec(String amiId, String instanceType, int maxRuntimeS, List<String> tests, int minCount,
            Map<String, String> testParams, OptionalInt rootVolumeGiB, boolean nestedVirtualization) {

        public VmSpec {
            Objects.requireNonNull(amiId, "amiId");
            Objects.requireNonNull(instanceType, "instanceType");
            tests = List.copyOf(tests);
            testParams = Collections.unmodifiableMap(new TreeMap<>(testParams));
            Objects.requireNonNull(rootVolumeGiB, "rootVolumeGiB");
        }

        /** No test parameters, the AMI's root volume, nested virtualization where the instance family has it. */
        public VmSpec(String amiId, String instanceType, int maxRuntimeS, List<String> tests, int minCount) {
            this(amiId, instanceType, maxRuntimeS, tests, minCount, Map.of(), OptionalInt.empty(),
                    VmOptions.supportsNestedVirtualization(instanceType));
        }

        /** pullab_cloud's rule: {@code arm64} when the AMI (parameter) names {@code arm64}/{@code aarch64}. */
        public String arch() {
            String ami = amiId.toLowerCase(Locale.ROOT);
            return ami.contains("arm64") || ami.contains("aarch64") ? "arm64" : "x86_64";
        }
    }

    /**
     * The {@code storage} block.
     *
     * @param bucket        results bucket
     * @param resultsPrefix {@code results_prefix}, empty when absent
     */
    public record Storage(String bucket, String resultsPrefix) {

        public Storage {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(resultsPrefix, "resultsPrefix");
        }
    }

    /**
     * How this lab runs one KernelCI platform.
     *
     * @param name         KernelCI platform name ({@code environment.platform} of the job definition)
     * @param executor     EC2 or Fargate
     * @param arch         {@code x86_64} or {@code arm64}
     * @param image        {@code ami_id}: AMI id or {@code resolve:ssm:<parameter>}; empty for Fargate
     * @param instanceType EC2 instance type; empty for Fargate
     * @param vmCount      {@code vm_count}: VMs (tasks) per test
     * @param maxRuntimeS  {@code max_runtime}: safety timer of each VM (task); a job's test must fit in it
     */
    public record Platform(String name, Executor executor, String arch, String image, String instanceType,
            int vmCount, int maxRuntimeS) {

        public Platform {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(arch, "arch");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(instanceType, "instanceType");
            if (!ARCHES.contains(arch)) {
                throw new IllegalArgumentException("platform " + name + ": arch must be one of " + ARCHES + ", got "
                        + arch);
            }
            if (executor == Executor.EC2 && (image.isBlank() || instanceType.isBlank())) {
                throw new IllegalArgumentException("platform " + name + ": an EC2 platform needs an AMI and an "
                        + "instance type");
            }
            if (vmCount < 1) {
                throw new IllegalArgumentException("platform " + name + ": vm_count must be >= 1, got " + vmCount);
            }
            if (maxRuntimeS < MIN_RUNTIME_S) {
                throw new IllegalArgumentException("platform " + name + ": max_runtime must be >= " + MIN_RUNTIME_S
                        + ", got " + maxRuntimeS);
            }
        }

        /** A platform running under QEMU in a Fargate task. */
        public static Platform fargate(String name, String arch, int maxRuntimeS) {
            return new Platform(name, Executor.FARGATE, arch, "", "", 1, maxRuntimeS);
        }

        /** A platform running on one EC2 VM per test. */
        public static Platform ec2(String name, String arch, String image, String instanceType, int maxRuntimeS) {
            return new Platform(name, Executor.EC2, arch, image, instanceType, 1, maxRuntimeS);
        }
    }

    /**
     * The {@code job_definitions} block: what {@link JobDefinitionSource} enforces before and during a download.
     *
     * @param allowedHosts hosts job definitions may come from (lower case); {@code *.example.org} matches subdomains,
     *                     {@code http://host} also allows plain http from that host (local runs and tests)
     * @param maxBytes     the largest job definition accepted
     */
    public record JobDefinitionPolicy(List<String> allowedHosts, long maxBytes) {

        /** KernelCI's storage hosts. */
        public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("files.kernelci.org", "storage.kernelci.org");
        /** 1 MiB: rendered definitions are a few kB. */
        public static final long DEFAULT_MAX_BYTES = 1_048_576;

        public JobDefinitionPolicy {
            allowedHosts = List.copyOf(allowedHosts);
            if (maxBytes < 1) {
                throw new IllegalArgumentException("max_bytes must be >= 1, got " + maxBytes);
            }
        }

        public static JobDefinitionPolicy defaults() {
            return new JobDefinitionPolicy(DEFAULT_ALLOWED_HOSTS, DEFAULT_MAX_BYTES);
        }
    }

    /**
     * No {@code test_config} or {@code storage}; platforms {@code qemu-x86_64}, {@code qemu-arm64} (Fargate) and
     * {@code x86_64-ec2}, {@code aws-ec2-x86_64} (m5.large), {@code arm64-ec2}, {@code aws-ec2-arm64} (m7g.large) on
     * the latest Amazon Linux 2023 AMIs, one VM per test, {@value #DEFAULT_PLATFORM_MAX_RUNTIME_S} s safety timer
     * ({@code aws-ec2-*} are the default EC2 platforms, pullab_cloud's names); the default
     * {@link JobDefinitionPolicy} and {@link ArtifactUrlPolicy}.
     */
    public static LabConfig defaults() {
        return new LabConfig(Optional.empty(), Optional.empty(), defaultPlatforms(), JobDefinitionPolicy.defaults(),
                ArtifactUrlPolicy.defaults());
    }

    private static Map<String, Platform> defaultPlatforms() {
        return Map.of(
                "qemu-x86_64", Platform.fargate("qemu-x86_64", "x86_64", DEFAULT_PLATFORM_MAX_RUNTIME_S),
                "qemu-arm64", Platform.fargate("qemu-arm64", "arm64", DEFAULT_PLATFORM_MAX_RUNTIME_S),
                "x86_64-ec2", Platform.ec2("x86_64-ec2", "x86_64", AL2023_X86_64, "m5.large",
                        DEFAULT_PLATFORM_MAX_RUNTIME_S),
                "arm64-ec2", Platform.ec2("arm64-ec2", "arm64", AL2023_ARM64, "m7g.large",
                        DEFAULT_PLATFORM_MAX_RUNTIME_S),
                defaultEc2PlatformName("x86_64"), Platform.ec2(defaultEc2PlatformName("x86_64"), "x86_64",
                        AL2023_X86_64, "m5.large", DEFAULT_PLATFORM_MAX_RUNTIME_S),
                defaultEc2PlatformName("arm64"), Platform.ec2(defaultEc2PlatformName("arm64"), "arm64",
                        AL2023_ARM64, "m7g.large", DEFAULT_PLATFORM_MAX_RUNTIME_S));
    }

    /** The platform called {@code name}. */
    public Optional<Platform> platform(String name) {
        return Optional.ofNullable(platforms.get(name));
    }

    /**
     * Parses a config file.
     *
     * @throws IllegalArgumentException naming the JSON path of the problem, e.g.
     *                                  {@code lab config: test_config.vms[1].instance_type: missing} or
     *                                  {@code lab config: platforms.qemu-arm64.executor: must be ec2 or fargate, got
     *                                  "lambda"}
     */
    public static LabConfig parse(byte[] json) {
        try {
            ObjectNode root = JsonShape.readObject(json);
            List<String> warnings = new ArrayList<>();
            topLevelWarnings(root, warnings);
            Optional<TestConfig> testConfig = JsonShape.optionalObject(root, "test_config", "")
                    .map(node -> testConfig(node, warnings));
            Optional<Storage> storage = JsonShape.optionalObject(root, "storage", "").map(LabConfig::storage);
            Map<String, Platform> platforms = JsonShape.optionalObject(root, "platforms", "")
                    .map(LabConfig::platforms).orElseGet(LabConfig::defaultPlatforms);
            JobDefinitionPolicy policy = JsonShape.optionalObject(root, "job_definitions", "")
                    .map(LabConfig::policy).orElseGet(JobDefinitionPolicy::defaults);
            ArtifactUrlPolicy artifactUrls = JsonShape.optionalObject(root, ArtifactUrlPolicy.CONFIG_KEY, "")
                    .map(LabConfig::artifactUrls).orElseGet(ArtifactUrlPolicy::defaults);
            return new LabConfig(testConfig, storage, platforms, policy, artifactUrls, warnings);
        } catch (JsonShape.Mismatch e) {
            throw new IllegalArgumentException(WHAT + ": " + e.getMessage(), e);
        }
    }

    private static void topLevelWarnings(ObjectNode root, List<String> warnings) {
        List<String> setup = new ArrayList<>();
        root.fieldNames().forEachRemaining(key -> {
            if (SETUP_KEYS.contains(key)) {
                setup.add(key);
            } else if (!TOP_LEVEL_KEYS.contains(key)) {
                warnings.add(key + ": unknown key, ignored");
            }
        });
        if (!setup.isEmpty()) {
            warnings.add(String.join(", ", setup) + ": not used by this lab (pullab_cloud's setup sections: the pullab"
                    + " stack provides the region, buckets, roles, cluster and logs; see infra-cdk/README.md)");
        }
    }

    private static void unknownKeys(ObjectNode node, String path, Set<String> known, List<String> warnings) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                warnings.add(JsonShape.child(path, key) + ": unknown key, ignored (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        });
    }

    private static TestConfig testConfig(ObjectNode node, List<String> warnings) {
        String path = "test_config";
        unknownKeys(node, path, TEST_CONFIG_KEYS, warnings);
        String testId = name(node, "test_id", path);
        Optional<String> roleName = JsonShape.optionalString(node, "role_name", path);
        roleName.ifPresent(role -> {
            if (!IAM_NAME.matcher(role).matches()) {
                throw JsonShape.invalid(JsonShape.child(path, "role_name"), "not an IAM instance profile name"
                        + " (1-128 of letters, digits and +=,.@_-), got \"" + role + "\"");
            }
        });
        List<JsonNode> vmNodes = JsonShape.requiredArray(node, "vms", path);
        List<VmSpec> vms = new ArrayList<>(vmNodes.size());
        for (int i = 0; i < vmNodes.size(); i++) {
            String at = JsonShape.element(JsonShape.child(path, "vms"), i);
            vms.add(vm(JsonShape.asObject(vmNodes.get(i), at), at, warnings));
        }
        return new TestConfig(testId, roleName, vms);
    }

    private static VmSpec vm(ObjectNode node, String path, List<String> warnings) {
        unknownKeys(node, path, VM_KEYS, warnings);
        String ami = ami(node, path);
        String instanceType = JsonShape.requiredString(node, "instance_type", path);
        int maxRuntime = JsonShape.wholeNumber(node, "max_runtime", path, MIN_RUNTIME_S, MAX_RUNTIME_S,
                DEFAULT_VM_MAX_RUNTIME_S);
        List<JsonNode> testNodes = JsonShape.requiredArray(node, "test", path);
        List<String> tests = new ArrayList<>(testNodes.size());
        for (int i = 0; i < testNodes.size(); i++) {
            String at = JsonShape.element(JsonShape.child(path, "test"), i);
            String test = JsonShape.asString(testNodes.get(i), at);
            if (!NAME.matcher(test).matches()) {
                throw JsonShape.invalid(at, "not a vm-tests directory name: \"" + test + "\"");
            }
            tests.add(test);
        }
        int minCount = JsonShape.wholeNumber(node, "min_count", path, 1, 1000, 1);
        OptionalLong rootVolume = JsonShape.optionalWholeNumber(node, "root_volume_size", path,
                VmOptions.MIN_ROOT_VOLUME_GIB, VmOptions.MAX_ROOT_VOLUME_GIB);
        return new VmSpec(ami, instanceType, maxRuntime, tests, minCount, testParams(node, path),
                rootVolume.isPresent() ? OptionalInt.of((int) rootVolume.getAsLong()) : OptionalInt.empty(),
                nestedVirtualization(node, path, instanceType));
    }

    /** {@code test_params}: keys upper-cased, checked against {@link StageParams}; values text, numbers or booleans. */
    private static Map<String, String> testParams(ObjectNode vm, String vmPath) {
        Optional<ObjectNode> node = JsonShape.optionalObject(vm, "test_params", vmPath);
        if (node.isEmpty()) {
            return Map.of();
        }
        String path = JsonShape.child(vmPath, "test_params");
        if (node.get().size() > StageParams.MAX_PARAMS) {
            throw JsonShape.invalid(path, node.get().size() + " parameters, more than " + StageParams.MAX_PARAMS);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> keyOf = new TreeMap<>();
        node.get().properties().forEach(entry -> {
            String key = entry.getKey();
            String at = JsonShape.child(path, key);
            if (!StageParams.CONFIG_KEY.matcher(key).matches()) {
                throw JsonShape.invalid(path, "key \"" + key + "\" is not a shell variable name (letters, digits"
                        + " and '_', not starting with a digit, at most 64 characters)");
            }
            String name = StageParams.nameOf(key);
            StageParams.refusal(name, false).ifPresent(why -> {
                throw JsonShape.invalid(at, why + "; choose another name");
            });
            String earlier = keyOf.putIfAbsent(name, key);
            if (earlier != null) {
                throw JsonShape.invalid(at, "same variable " + name + " as key \"" + earlier + "\" (keys are"
                        + " upper-cased)");
            }
            JsonNode value = entry.getValue();
            if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
                throw JsonShape.wrongType(at, "a string, number or boolean", value);
            }
            String text = value.isTextual() ? value.textValue() : value.asText();
            StageParams.valueRefusal(name, text).ifPresent(why -> {
                throw JsonShape.invalid(at, why);
            });
            params.put(name, text);
        });
        return params;
    }

    /**
     * {@code nested_virtualization}: true is refused on an instance family without it (EC2 would refuse the launch);
     * absent means on where the family has it, as pullab_cloud.
     */
    private static boolean nestedVirtualization(ObjectNode vm, String path, String instanceType) {
        Optional<JsonNode> field = JsonShape.field(vm, "nested_virtualization");
        if (field.isEmpty()) {
            return VmOptions.supportsNestedVirtualization(instanceType);
        }
        String at = JsonShape.child(path, "nested_virtualization");
        if (!field.get().isBoolean()) {
            throw JsonShape.wrongType(at, "true or false", field.get());
        }
        boolean wanted = field.get().booleanValue();
        if (wanted && !VmOptions.supportsNestedVirtualization(instanceType)) {
            throw JsonShape.invalid(at, "instance type " + instanceType + " (family "
                    + VmOptions.family(instanceType) + ") has no nested virtualization; EC2 offers it on "
                    + String.join(", ", VmOptions.NESTED_VIRTUALIZATION_FAMILIES));
        }
        return wanted;
    }

    private static Storage storage(ObjectNode node) {
        return new Storage(JsonShape.requiredString(node, "bucket", "storage"),
                JsonShape.optionalString(node, "results_prefix", "storage").orElse(""));
    }

    private static Map<String, Platform> platforms(ObjectNode node) {
        Map<String, Platform> platforms = new TreeMap<>();
        node.properties().forEach(entry -> {
            String name = entry.getKey();
            String path = JsonShape.child("platforms", name);
            if (name.isBlank()) {
                throw JsonShape.invalid("platforms", "a platform name is empty");
            }
            platforms.put(name, platform(name, JsonShape.asObject(entry.getValue(), path), path));
        });
        return platforms;
    }

    private static Platform platform(String name, ObjectNode node, String path) {
        JsonShape.onlyKeys(node, path, PLATFORM_KEYS);
        String executorName = JsonShape.requiredString(node, "executor", path);
        Executor executor = switch (executorName.toLowerCase(Locale.ROOT)) {
            case "ec2" -> Executor.EC2;
            case "fargate" -> Executor.FARGATE;
            default -> throw JsonShape.invalid(JsonShape.child(path, "executor"),
                    "must be ec2 or fargate, got \"" + executorName + "\"");
        };
        String arch = JsonShape.requiredString(node, "arch", path);
        if (!ARCHES.contains(arch)) {
            throw JsonShape.invalid(JsonShape.child(path, "arch"), "must be one of " + ARCHES + ", got \"" + arch
                    + "\"");
        }
        for (String defaultArch : ARCHES) {
            if (name.equals(defaultEc2PlatformName(defaultArch))
                    && (executor != Executor.EC2 || !arch.equals(defaultArch))) {
                throw JsonShape.invalid(path, "the lab's default EC2 platform for " + defaultArch + " (jobs on "
                        + "platforms outside the table run on it) must have executor ec2 and arch " + defaultArch
                        + ", got " + executorName + " and " + arch);
            }
        }
        String image;
        String instanceType;
        if (executor == Executor.EC2) {
            image = ami(node, path);
            instanceType = JsonShape.requiredString(node, "instance_type", path);
        } else {
            image = JsonShape.optionalString(node, "ami_id", path).orElse("");
            instanceType = JsonShape.optionalString(node, "instance_type", path).orElse("");
        }
        int vmCount = JsonShape.wholeNumber(node, "vm_count", path, 1, 1000, 1);
        int maxRuntime = JsonShape.wholeNumber(node, "max_runtime", path, MIN_RUNTIME_S, MAX_RUNTIME_S,
                DEFAULT_PLATFORM_MAX_RUNTIME_S);
        return new Platform(name, executor, arch, image, instanceType, vmCount, maxRuntime);
    }

    private static JobDefinitionPolicy policy(ObjectNode node) {
        String path = "job_definitions";
        JsonShape.onlyKeys(node, path, POLICY_KEYS);
        List<String> hosts = JsonShape.optionalArray(node, "allowed_hosts", path).isPresent()
                ? JsonShape.stringList(node, "allowed_hosts", path) : JobDefinitionPolicy.DEFAULT_ALLOWED_HOSTS;
        if (hosts.isEmpty()) {
            throw JsonShape.invalid(JsonShape.child(path, "allowed_hosts"),
                    "empty, no job definition could be downloaded");
        }
        List<String> normalized = new ArrayList<>(hosts.size());
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i).trim().toLowerCase(Locale.ROOT);
            // "http://host" opts that host into plain http (local runs, tests); see JobDefinitionSource
            String bare = host.startsWith("http://") ? host.substring("http://".length()) : host;
            if (!HOST_ENTRY.matcher(bare).matches()) {
                throw JsonShape.invalid(JsonShape.element(JsonShape.child(path, "allowed_hosts"), i),
                        "not a host name, *.domain or http://host: \"" + hosts.get(i) + "\"");
            }
            normalized.add(host);
        }
        long maxBytes = JsonShape.optionalWholeNumber(node, "max_bytes", path, 1, Integer.MAX_VALUE)
                .orElse(JobDefinitionPolicy.DEFAULT_MAX_BYTES);
        return new JobDefinitionPolicy(normalized, maxBytes);
    }

    private static ArtifactUrlPolicy artifactUrls(ObjectNode node) {
        String path = ArtifactUrlPolicy.CONFIG_KEY;
        JsonShape.onlyKeys(node, path, ARTIFACT_URL_KEYS);
        boolean allowHttp = JsonShape.field(node, "allow_http").map(value -> {
            if (!value.isBoolean()) {
                throw JsonShape.wrongType(JsonShape.child(path, "allow_http"), "true or false", value);
            }
            return value.booleanValue();
        }).orElse(false);
        List<String> ranges = JsonShape.stringList(node, "allow_private", path);
        List<ArtifactUrlPolicy.AddressRange> allowPrivate = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            try {
                allowPrivate.add(ArtifactUrlPolicy.AddressRange.parse(ranges.get(i)));
            } catch (IllegalArgumentException e) {
                throw JsonShape.invalid(JsonShape.element(JsonShape.child(path, "allow_private"), i), e.getMessage());
            }
        }
        return new ArtifactUrlPolicy(allowHttp, allowPrivate);
    }

    private static String name(ObjectNode node, String field, String path) {
        String value = JsonShape.requiredString(node, field, path);
        if (!NAME.matcher(value).matches()) {
            throw JsonShape.invalid(JsonShape.child(path, field),
                    "only letters, digits, '.', '_' and '-' are allowed, got \"" + value + "\"");
        }
        return value;
    }

    private static String ami(ObjectNode node, String path) {
        String ami = JsonShape.requiredString(node, "ami_id", path);
        boolean ssm = ami.startsWith("resolve:ssm:") && ami.length() > "resolve:ssm:".length();
        boolean id = ami.matches("ami-[0-9a-f]{8,}");
        if (!ssm && !id) {
            throw JsonShape.invalid(JsonShape.child(path, "ami_id"),
                    "expected ami-<hex> or resolve:ssm:<parameter>, got \"" + ami + "\"");
        }
        return ami;
    }
}
