package dev.pullab.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ArtifactUrlPolicy: which URLs a test VM may be told to fetch")
class ArtifactUrlPolicyTest {

    private static final ArtifactUrlPolicy DEFAULTS = ArtifactUrlPolicy.defaults();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "https://files.kernelci.org/kbuild-gcc-15-x86-6825f9c0/bzImage",
        "https://storage.kernelci.org/images/rootfs/debian/trixie-ltp/20260730.0/arm64/full.rootfs.tar.xz?x=1",
        "https://FILES.KernelCI.org./bzImage",
        "https://93.184.215.14/bzImage",
        "https://[2606:4700::6810:84e5]/bzImage",
        "https://files.kernelci.org:8443/bzImage"})
    @DisplayName("an https URL on a public host or public address is accepted")
    void publicHttpsAccepted(String url) {
        assertThat(DEFAULTS.refuse("artifact 'kernel'", url)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "file:///etc/passwd                               | not an https URL",
        "s3://pullab-results/run_x/test_a/params.env      | not an https URL",
        "ftp://files.kernelci.org/bzImage                 | not an https URL",
        "gopher://files.kernelci.org/bzImage              | not an https URL",
        "//files.kernelci.org/bzImage                     | not an https URL",
        "http://files.kernelci.org/bzImage                | plain http (https only unless the lab config sets artifact_urls.allow_http)",
        "https://127.0.0.1/bzImage                        | host 127.0.0.1 is a loopback address",
        "https://169.254.169.254/latest/meta-data/        | host 169.254.169.254 is a link-local address (cloud metadata service)",
        "https://10.1.2.3/bzImage                         | host 10.1.2.3 is a private address",
        "https://172.31.255.1/bzImage                     | host 172.31.255.1 is a private address",
        "https://192.168.0.10/bzImage                     | host 192.168.0.10 is a private address",
        "https://100.64.0.1/bzImage                       | host 100.64.0.1 is a shared (carrier-grade NAT) address",
        "https://0.0.0.0/bzImage                          | host 0.0.0.0 is an unspecified (\"this network\") address",
        "https://224.0.0.1/bzImage                        | host 224.0.0.1 is a multicast address",
        "https://[::1]/bzImage                            | host 0:0:0:0:0:0:0:1 is a loopback address",
        "https://[::]/bzImage                             | host 0:0:0:0:0:0:0:0 is an unspecified address",
        "https://[fe80::1]/bzImage                        | host fe80:0:0:0:0:0:0:1 is a link-local address",
        "https://[fd00:ec2::254]/latest/meta-data/        | host fd00:ec2:0:0:0:0:0:254 is a private (unique local) address",
        "https://[::ffff:169.254.169.254]/latest/         | host 169.254.169.254 is a link-local address (cloud metadata service)",
        "https://[::ffff:7f00:1]/bzImage                  | host 127.0.0.1 is a loopback address",
        "https://[::10.0.0.1]/bzImage                     | host 0:0:0:0:0:0:a00:1 is a private address (embedded in IPv6)",
        "https://[64:ff9b::a9fe:a9fe]/latest/             | host 64:ff9b:0:0:0:0:a9fe:a9fe is a link-local address (cloud metadata service) (embedded in IPv6)",
        "https://2852039166/latest/meta-data/             | host 2852039166 is an IPv4 address in a non-canonical spelling",
        "https://0x7f.1/bzImage                           | host 0x7f.1 is an IPv4 address in a non-canonical spelling",
        "https://0177.0.0.1/bzImage                       | host 0177.0.0.1 is an IPv4 address in a non-canonical spelling",
        "https://0xA9FEA9FE/latest/                       | host 0xa9fea9fe is an IPv4 address in a non-canonical spelling",
        "https://127.1/bzImage                            | host 127.1 is an IPv4 address in a non-canonical spelling",
        "https://10.0.0.1.2/bzImage                       | host 10.0.0.1.2 is an IPv4 address in a non-canonical spelling",
        "https://localhost/bzImage                        | host localhost names this machine or an internal network",
        "https://LOCALHOST./bzImage                       | host localhost names this machine or an internal network",
        "https://a.b.localhost/bzImage                    | host a.b.localhost names this machine or an internal network",
        "https://metadata.google.internal/computeMetadata | host metadata.google.internal names this machine or an internal network",
        "https://instance-data.ec2.internal/latest/       | host instance-data.ec2.internal names this machine or an internal network",
        "https://printer.local/bzImage                    | host printer.local names this machine or an internal network",
        "https://metadata/computeMetadata/v1/             | host metadata is a single-label name (resolved through the VM's search domains)",
        "https://files_kernelci.org/bzImage               | no host name",
        "https://files.kernelci.org/a b                   | not a valid URL"})
    @DisplayName("by default: a non-https scheme, a non-public address in any spelling, or an internal name is refused")
    void refused(String url, String reason) {
        assertThat(DEFAULTS.refuse("artifact 'kernel'", url))
                .hasValueSatisfying(message -> assertThat(message).startsWith("artifact 'kernel' refused: " + reason));
    }

    @Test
    @DisplayName("a URL with user info is refused and the message shows the URL without it")
    void userInfoRefusedAndRedacted() {
        String url = "https://ci-bot:glpat-s3cr3t@files.kernelci.org/kbuild/bzImage";

        assertThat(DEFAULTS.refuse("artifact 'kernel'", url)).contains("artifact 'kernel' refused: user info "
                + "(credentials) in the URL is not accepted: https://<user info>@files.kernelci.org/kbuild/bzImage");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "https://token@files.kernelci.org/bzImage",
        "https://user:p%40ss@files.kernelci.org/bzImage",
        "https://user:p@ss@files.kernelci.org/bzImage",
        "ftp://user:s3cr3t@files.kernelci.org/bzImage",
        "https://user:s3cr3t@files.kernelci.org/a b"})
    @DisplayName("no refusal of a URL with user info echoes it, whatever else is wrong with the URL")
    void noRefusalEchoesCredentials(String url) {
        assertThat(DEFAULTS.refuse("artifact 'kernel'", url)).hasValueSatisfying(message -> assertThat(message)
                .contains("<user info>@").doesNotContain("s3cr3t", "p%40ss", "ss@", "token@", "user:"));
    }

    @Test
    @DisplayName("allow_http accepts plain http, and still refuses other schemes and non-public hosts")
    void allowHttp() {
        ArtifactUrlPolicy policy = new ArtifactUrlPolicy(true, List.of());

        assertThat(policy.refuse("artifact 'ramdisk'", "http://storage.kernelci.org/rootfs.cpio.gz")).isEmpty();
        assertThat(policy.refuse("artifact 'ramdisk'", "file:///rootfs.cpio.gz"))
                .contains("artifact 'ramdisk' refused: not an http(s) URL: file:///rootfs.cpio.gz");
        assertThat(policy.refuse("artifact 'ramdisk'", "http://169.254.169.254/latest/")).isPresent();
    }

    @Test
    @DisplayName("allow_private accepts addresses of the listed ranges only, in IPv4 and IPv6")
    void allowPrivate() {
        ArtifactUrlPolicy policy = new ArtifactUrlPolicy(false, List.of(
                ArtifactUrlPolicy.AddressRange.parse("10.20.0.0/16"),
                ArtifactUrlPolicy.AddressRange.parse("127.0.0.1"),
                ArtifactUrlPolicy.AddressRange.parse("fd12::/16")));

        assertThat(policy.refuse("k", "https://10.20.255.1/bzImage")).isEmpty();
        assertThat(policy.refuse("k", "https://127.0.0.1:8080/bzImage")).isEmpty();
        assertThat(policy.refuse("k", "https://[fd12:3::1]/bzImage")).isEmpty();
        assertThat(policy.refuse("k", "https://10.21.0.1/bzImage")).isPresent();
        assertThat(policy.refuse("k", "https://127.0.0.2/bzImage")).isPresent();
        assertThat(policy.refuse("k", "https://169.254.169.254/bzImage")).isPresent();
        assertThat(policy.refuse("k", "https://localhost/bzImage")).as("names stay refused").isPresent();
    }

    @Test
    @DisplayName("the VM gets the policy's opt-ins as params.env variables")
    void vmParams() {
        assertThat(DEFAULTS.vmParams()).isEqualTo(Map.of("PULLAB_ALLOW_HTTP", "0", "PULLAB_ALLOW_PRIVATE_URLS", ""));
        assertThat(new ArtifactUrlPolicy(true, List.of(ArtifactUrlPolicy.AddressRange.parse("10.0.0.0/8"),
                ArtifactUrlPolicy.AddressRange.parse("127.0.0.1"))).vmParams())
                .isEqualTo(Map.of("PULLAB_ALLOW_HTTP", "1", "PULLAB_ALLOW_PRIVATE_URLS", "10.0.0.0/8,127.0.0.1/32"));
    }
}
