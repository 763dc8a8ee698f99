package dev.pullab.core.job;

import static dev.pullab.core.job.JobFixtures.LAB_CONFIG;
import static dev.pullab.core.job.JobFixtures.changed;
import static dev.pullab.core.job.JobFixtures.labConfig;
import static dev.pullab.core.job.JobFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pullab.core.job.LabConfig.JobDefinitionPolicy;
import dev.pullab.core.job.LabConfig.Platform;
import dev.pullab.core.job.LabConfig.Storage;
import dev.pullab.core.job.LabConfig.VmSpec;
import dev.pullab.core.run.Executor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("LabConfig: pullab_cloud's config.json plus the platform table")
class LabConfigTest {

    private static ObjectNode vm(ObjectNode root, int index) {
        return (ObjectNode) root.get("test_config").get("vms").get(index);
    }

    private static ObjectNode platform(ObjectNode root, String name) {
        return (ObjectNode) root.get("platforms").get(name);
    }

    @Test
    @DisplayName("test_config is read with its vms entries")
    void testConfig() {
        LabConfig.TestConfig testConfig = labConfig().testConfig().orElseThrow();

        assertThat(testConfig.testId()).isEqualTo("test-001");
        assertThat(testConfig.roleName()).contains("ecsTaskExecutionRole");
        assertThat(testConfig.vms()).containsExactly(
                new VmSpec(LabConfig.AL2023_X86_64, "t3.micro", 3600, List.of("basic-test", "example-reboot-test"), 1),
                new VmSpec(LabConfig.AL2023_ARM64, "t4g.micro", 1800, List.of("basic-test"), 2));
    }

    @Test
    @DisplayName("storage is read; other sections (ecs, ...) are ignored")
    void storage() {
        assertThat(labConfig().storage()).contains(new Storage("kernel-ci-results", "results"));
    }

    @Test
    @DisplayName("the platforms object is the platform table, with defaults for vm_count and max_runtime")
    void platforms() {
        LabConfig config = labConfig();

        assertThat(config.platforms()).containsOnlyKeys("qemu-x86_64", "qemu-arm64", "x86_64-ec2",
                "exynos850-e850-96");
        assertThat(config.platform("qemu-arm64")).contains(Platform.fargate("qemu-arm64", "arm64", 7200));
        assertThat(config.platform("exynos850-e850-96")).contains(new Platform("exynos850-e850-96", Executor.EC2,
                "arm64", LabConfig.AL2023_ARM64, "m7g.large", 2, 5400));
    }

    @Test
    @DisplayName("job_definitions gives the allowed hosts and the size limit")
    void jobDefinitionPolicy() {
        assertThat(labConfig().jobDefinitions()).isEqualTo(new JobDefinitionPolicy(
                List.of("files.kernelci.org", "storage.kernelci.org", "*.blob.core.windows.net"), 65536));
    }

    @Test
    @DisplayName("artifact_urls gives the http opt-in and the allowed non-public ranges, normalised")
    void artifactUrls() {
        LabConfig config = LabConfig.parse(utf8("{\"artifact_urls\":{\"allow_http\":true,"
                + "\"allow_private\":[\"10.20.0.0/16\", \"127.0.0.1\", \"fd00:ec2::/32\"]}}"));

        assertThat(config.artifactUrls().allowHttp()).isTrue();
        assertThat(config.artifactUrls().allowPrivate()).extracting(ArtifactUrlPolicy.AddressRange::text)
                .containsExactly("10.20.0.0/16", "127.0.0.1/32", "fd00:ec2:0:0:0:0:0:0/32");
    }

    @Test
    @DisplayName("without artifact_urls: https only, no non-public range")
    void artifactUrlsDefault() {
        assertThat(LabConfig.parse(utf8("{}")).artifactUrls()).isEqualTo(ArtifactUrlPolicy.defaults());
        assertThat(LabConfig.defaults().artifactUrls()).isEqualTo(new ArtifactUrlPolicy(false, List.of()));
    }

    @Test
    @DisplayName("defaults: qemu platforms on Fargate, EC2 platforms (pullab_cloud's aws-ec2-* among them) on AL2023"
            + " m5.large / m7g.large")
    void defaults() {
        LabConfig defaults = LabConfig.defaults();

        assertThat(defaults.platforms().values()).containsExactlyInAnyOrder(
                Platform.fargate("qemu-x86_64", "x86_64", 7200),
                Platform.fargate("qemu-arm64", "arm64", 7200),
                Platform.ec2("x86_64-ec2", "x86_64",
                        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                        "m5.large", 7200),
                Platform.ec2("arm64-ec2", "arm64",
                        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                        "m7g.large", 7200),
                Platform.ec2("aws-ec2-x86_64", "x86_64",
                        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                        "m5.large", 7200),
                Platform.ec2("aws-ec2-arm64", "arm64",
                        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
                        "m7g.large", 7200));
        assertThat(defaults.jobDefinitions()).isEqualTo(
                new JobDefinitionPolicy(List.of("files.kernelci.org", "storage.kernelci.org"), 1_048_576));
        assertThat(defaults.testConfig()).isEmpty();
        assertThat(defaults.storage()).isEmpty();
    }

    @Test
    @DisplayName("the default EC2 platform of an arch is the platform named aws-ec2-<arch>")
    void defaultEc2Platform() {
        LabConfig defaults = LabConfig.defaults();

        assertThat(defaults.defaultEc2Platform("x86_64")).map(Platform::name).contains("aws-ec2-x86_64");
        assertThat(defaults.defaultEc2Platform("arm64")).map(Platform::name).contains("aws-ec2-arm64");
        assertThat(labConfig().defaultEc2Platform("x86_64")).isEmpty();
    }

    @Test
    @DisplayName("a lab's own table names its default EC2 platforms aws-ec2-<arch>, with its own AMI and instance type")
    void ownDefaultEc2Platform() {
        LabConfig config = LabConfig.parse(changed(LAB_CONFIG, root -> ((ObjectNode) root.get("platforms"))
                .putObject("aws-ec2-x86_64").put("executor", "ec2").put("arch", "x86_64")
                .put("ami_id", "ami-0123456789abcdef0").put("instance_type", "c8i.4xlarge").put("max_runtime", 3600)));

        assertThat(config.defaultEc2Platform("x86_64")).contains(Platform.ec2("aws-ec2-x86_64", "x86_64",
                "ami-0123456789abcdef0", "c8i.4xlarge", 3600));
    }

    @Test
    @DisplayName("a default EC2 platform built in code must be EC2 and of its arch")
    void defaultEc2PlatformChecked() {
        Map<String, Platform> platforms = Map.of("aws-ec2-arm64", Platform.fargate("aws-ec2-arm64", "arm64", 3600));

        assertThatThrownBy(() -> new LabConfig(Optional.empty(), Optional.empty(), platforms,
                JobDefinitionPolicy.defaults(), ArtifactUrlPolicy.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("platform aws-ec2-arm64 is the lab's default EC2 platform for arm64 (jobs on platforms"
                        + " outside the table run on it): it must have executor ec2 and arch arm64, got fargate and"
                        + " arm64");
    }

    @Test
    @DisplayName("a config without platforms and job_definitions gets the default table and policy")
    void missingSectionsDefault() {
        LabConfig config = LabConfig.parse(utf8("{\"storage\":{\"bucket\":\"b\"}}"));

        assertThat(config.platforms()).isEqualTo(LabConfig.defaults().platforms());
        assertThat(config.jobDefinitions()).isEqualTo(JobDefinitionPolicy.defaults());
        assertThat(config.storage()).contains(new Storage("b", ""));
    }

    @Test
    @DisplayName("allowed hosts are stored in lower case")
    void hostsLowerCase() {
        LabConfig config = LabConfig.parse(utf8("{\"job_definitions\":{\"allowed_hosts\":[\"Files.KernelCI.org\"]}}"));

        assertThat(config.jobDefinitions().allowedHosts()).containsExactly("files.kernelci.org");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64, arm64",
        "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/aarch64/hvm/ebs-gp3/ami-id, arm64",
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64, x86_64",
        "ami-0123456789abcdef0, x86_64"})
    @DisplayName("a vms entry's arch comes from its AMI name: arm64/aarch64 -> arm64, else x86_64")
    void vmArch(String ami, String arch) {
        assertThat(new VmSpec(ami, "t3.micro", 3600, List.of("basic-test"), 1).arch()).isEqualTo(arch);
    }

    /** A config this class refuses. */
    record Malformed(String name, byte[] json, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Malformed malformed(String name, Consumer<ObjectNode> change, String message) {
        return new Malformed(name, changed(LAB_CONFIG, change), message);
    }

    static Stream<Malformed> malformedConfigs() {
        return Stream.of(
                new Malformed("not JSON", utf8("test_config: {}"), "lab config: not JSON: "),
                new Malformed("a JSON array", utf8("[]"), "lab config: must be a JSON object, got an array"),
                malformed("test_config not an object", root -> root.put("test_config", "x"),
                        "lab config: test_config: expected an object, got the string \"x\""),
                malformed("no test_id", root -> ((ObjectNode) root.get("test_config")).remove("test_id"),
                        "lab config: test_config.test_id: missing"),
                malformed("a test_id with a slash", root -> ((ObjectNode) root.get("test_config"))
                        .put("test_id", "a/b"),
                        "lab config: test_config.test_id: only letters, digits, '.', '_' and '-' are allowed, "
                                + "got \"a/b\""),
                malformed("no vms", root -> ((ObjectNode) root.get("test_config")).remove("vms"),
                        "lab config: test_config.vms: missing"),
                malformed("a vms entry without instance_type", root -> vm(root, 1).remove("instance_type"),
                        "lab config: test_config.vms[1].instance_type: missing"),
                malformed("an ami_id that is neither an AMI nor an SSM parameter",
                        root -> vm(root, 0).put("ami_id", "al2023"),
                        "lab config: test_config.vms[0].ami_id: expected ami-<hex> or resolve:ssm:<parameter>, "
                                + "got \"al2023\""),
                malformed("a max_runtime under a minute", root -> vm(root, 0).put("max_runtime", 10),
                        "lab config: test_config.vms[0].max_runtime: must be between 60 and 172800, got 10"),
                malformed("min_count as a string", root -> vm(root, 1).put("min_count", "2"),
                        "lab config: test_config.vms[1].min_count: expected a whole number, got the string \"2\""),
                malformed("a test name with a path", root -> vm(root, 0).putArray("test").add("basic-test")
                        .add("../etc"),
                        "lab config: test_config.vms[0].test[1]: not a vm-tests directory name: \"../etc\""),
                malformed("storage without bucket", root -> ((ObjectNode) root.get("storage")).remove("bucket"),
                        "lab config: storage.bucket: missing"),
                malformed("an unknown executor", root -> platform(root, "qemu-arm64").put("executor", "lambda"),
                        "lab config: platforms.qemu-arm64.executor: must be ec2 or fargate, got \"lambda\""),
                malformed("an unknown arch", root -> platform(root, "qemu-x86_64").put("arch", "riscv64"),
                        "lab config: platforms.qemu-x86_64.arch: must be one of [x86_64, arm64], got \"riscv64\""),
                malformed("an EC2 platform without ami_id", root -> platform(root, "x86_64-ec2").remove("ami_id"),
                        "lab config: platforms.x86_64-ec2.ami_id: missing"),
                malformed("a default EC2 platform on Fargate",
                        root -> ((ObjectNode) root.get("platforms")).putObject("aws-ec2-x86_64")
                                .put("executor", "fargate").put("arch", "x86_64"),
                        "lab config: platforms.aws-ec2-x86_64: the lab's default EC2 platform for x86_64 (jobs on"
                                + " platforms outside the table run on it) must have executor ec2 and arch x86_64,"
                                + " got fargate and x86_64"),
                malformed("a default EC2 platform of another arch",
                        root -> ((ObjectNode) root.get("platforms")).putObject("aws-ec2-arm64")
                                .put("executor", "ec2").put("arch", "x86_64").put("ami_id", LabConfig.AL2023_X86_64)
                                .put("instance_type", "m5.large"),
                        "lab config: platforms.aws-ec2-arm64: the lab's default EC2 platform for arm64 (jobs on"
                                + " platforms outside the table run on it) must have executor ec2 and arch arm64,"
                                + " got ec2 and x86_64"),
                malformed("vm_count zero", root -> platform(root, "x86_64-ec2").put("vm_count", 0),
                        "lab config: platforms.x86_64-ec2.vm_count: must be between 1 and 1000, got 0"),
                malformed("a platform that is not an object", root -> ((ObjectNode) root.get("platforms"))
                        .put("rpi4", "ec2"),
                        "lab config: platforms.rpi4: expected an object, got the string \"ec2\""),
                malformed("empty allowed_hosts", root -> ((ObjectNode) root.get("job_definitions"))
                        .putArray("allowed_hosts"),
                        "lab config: job_definitions.allowed_hosts: empty, no job definition could be downloaded"),
                malformed("an allowed host that is a URL", root -> ((ObjectNode) root.get("job_definitions"))
                        .putArray("allowed_hosts").add("https://files.kernelci.org"),
                        "lab config: job_definitions.allowed_hosts[0]: not a host name, *.domain or http://host: "
                                + "\"https://files.kernelci.org\""),
                malformed("max_bytes zero", root -> ((ObjectNode) root.get("job_definitions")).put("max_bytes", 0),
                        "lab config: job_definitions.max_bytes: must be between 1 and 2147483647, got 0"),
                malformed("allow_http as a string", root -> ((ObjectNode) root.get("artifact_urls"))
                        .put("allow_http", "yes"),
                        "lab config: artifact_urls.allow_http: expected true or false, got the string \"yes\""),
                malformed("an allow_private entry that is a host name", root -> ((ObjectNode) root.get("artifact_urls"))
                        .putArray("allow_private").add("10.0.0.0/8").add("mirror.lab"),
                        "lab config: artifact_urls.allow_private[1]: not an IP address or CIDR range: "
                                + "\"mirror.lab\""),
                malformed("an allow_private prefix beyond 32 bits", root -> ((ObjectNode) root.get("artifact_urls"))
                        .putArray("allow_private").add("10.0.0.0/33"),
                        "lab config: artifact_urls.allow_private[0]: not an IP address or CIDR range: "
                                + "\"10.0.0.0/33\" (prefix length 0 to 32)"),
                malformed("a misspelt key in artifact_urls", root -> ((ObjectNode) root.get("artifact_urls"))
                        .put("allow_https", true),
                        "lab config: artifact_urls: unknown key \"allow_https\" (known: allow_http, allow_private)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedConfigs")
    @DisplayName("a malformed config is refused with a message naming the JSON path")
    void malformedConfig(Malformed malformed) {
        assertThatThrownBy(() -> LabConfig.parse(malformed.json()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(malformed.message());
    }
}
