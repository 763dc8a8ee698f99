package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.UserData;
import dev.pullab.core.launch.VmTags;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/** The pure parts of {@link LocalVmExecutor} and the {@link LocalVmImds} stub. */
class LocalVmExecutorTest {

    @Test
    @DisplayName("the install line of UserData.script gives bucket, prefix, test, region and timeouts")
    void givenOrchestratorUserData_whenParsed_thenConfig() {
        String script = UserData.script("bucket-1", "runs/it's-1", "basic-test", "eu-west-1", 7200, 900);

        LocalVmExecutor.VmConfig config = LocalVmExecutor.parseUserData(script).orElseThrow();

        assertThat(config).isEqualTo(
                new LocalVmExecutor.VmConfig("bucket-1", "runs/it's-1", "basic-test", "eu-west-1", 7200, 900));
    }

    @Test
    @DisplayName("a user-data without an install line gives nothing")
    void givenOtherUserData_whenParsed_thenEmpty() {
        assertThat(LocalVmExecutor.parseUserData("#!/bin/bash\necho hello\n")).isEmpty();
        assertThat(LocalVmExecutor.parseUserData("bash /root/test-vm-client.sh install --bucket b\n")).isEmpty();
    }

    @Test
    @DisplayName("a VM's simulation seed is its test and index in the run, which a rerun of the same plan keeps")
    void givenLaunchAndTestTags_whenSimulationSeed_thenTestAndIndex() {
        Instance first = Instance.builder().instanceId("i-0aaaaaaaaaaaaaaa1").tags(
                Tag.builder().key(VmTags.LAUNCH).value("run_regression-a_20261205_100000#2").build(),
                Tag.builder().key(VmTags.TEST).value("unixbench-kernel-regression").build()).build();
        Instance rerun = first.toBuilder().instanceId("i-0bbbbbbbbbbbbbbb2").tags(
                Tag.builder().key(VmTags.LAUNCH).value("run_regression-a_20261205_100731#2").build(),
                Tag.builder().key(VmTags.TEST).value("unixbench-kernel-regression").build()).build();

        assertThat(LocalVmExecutor.simulationSeed(first)).contains("unixbench-kernel-regression#2");
        assertThat(LocalVmExecutor.simulationSeed(rerun)).isEqualTo(LocalVmExecutor.simulationSeed(first));
    }

    @Test
    @DisplayName("without a launch or test tag, or with ones the client would refuse, a VM has no simulation seed")
    void givenMissingOrBadTags_whenSimulationSeed_thenEmpty() {
        Tag launch = Tag.builder().key(VmTags.LAUNCH).value("run_x_20261205_100000#0").build();
        Tag test = Tag.builder().key(VmTags.TEST).value("basic-test").build();
        Instance untagged = Instance.builder().instanceId("i-0aaaaaaaaaaaaaaa1").build();

        assertThat(LocalVmExecutor.simulationSeed(untagged)).isEmpty();
        assertThat(LocalVmExecutor.simulationSeed(untagged.toBuilder().tags(launch).build())).isEmpty();
        assertThat(LocalVmExecutor.simulationSeed(untagged.toBuilder().tags(test).build())).isEmpty();
        for (String badLaunch : new String[] {"run_x", "run_x#", "run_x#1a", "run_x#1234567"}) {
            Instance tagged = untagged.toBuilder()
                    .tags(test, Tag.builder().key(VmTags.LAUNCH).value(badLaunch).build()).build();
            assertThat(LocalVmExecutor.simulationSeed(tagged)).as(badLaunch).isEmpty();
        }
        for (String badTest : new String[] {"a b", "x".repeat(256), "t\u00e9st"}) {
            Instance tagged = untagged.toBuilder()
                    .tags(launch, Tag.builder().key(VmTags.TEST).value(badTest).build()).build();
            assertThat(LocalVmExecutor.simulationSeed(tagged)).as(badTest).isEmpty();
        }
    }

    @Test
    @DisplayName("Graviton instance families are arm64, the others x86_64")
    void givenInstanceTypes_whenArchitecture_thenGravitonIsArm() {
        for (String arm : new String[] {"m7g.large", "t4g.micro", "c7g.xlarge", "c7gn.large", "r6gd.large",
                "im4gn.large", "a1.medium", "m8g.large"}) {
            assertThat(LocalVmExecutor.architecture(arm)).as(arm).isEqualTo("arm64");
        }
        for (String x86 : new String[] {"m5.large", "t3.micro", "c5n.large", "g4dn.xlarge", "m7i-flex.large",
                "m6a.large", "r5dn.large"}) {
            assertThat(LocalVmExecutor.architecture(x86)).as(x86).isEqualTo("x86_64");
        }
    }

    @Test
    @DisplayName("the IMDS stub hands out a token and answers the identity document only with it")
    void givenImdsStub_whenTokenThenDocument_thenIdentity() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (LocalVmImds imds = LocalVmImds.start("i-0abc", "m7g.large", "us-east-1", "arm64")) {
            URI base = imds.endpoint();
            String token = http.send(HttpRequest.newBuilder(base.resolve(LocalVmImds.TOKEN_PATH))
                    .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
            HttpResponse<String> without = http.send(HttpRequest.newBuilder(base.resolve(LocalVmImds.DOCUMENT_PATH))
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> with = http.send(HttpRequest.newBuilder(base.resolve(LocalVmImds.DOCUMENT_PATH))
                    .header("X-aws-ec2-metadata-token", token).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(token).isNotBlank();
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(with.statusCode()).isEqualTo(200);
            assertThat(with.body()).contains("\"instanceId\" : \"i-0abc\"", "\"architecture\" : \"arm64\"",
                    "\"region\" : \"us-east-1\"", "\"instanceType\" : \"m7g.large\"");
        }
    }
}
