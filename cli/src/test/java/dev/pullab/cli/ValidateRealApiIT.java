package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.AwsEmulator;
import dev.pullab.testkit.KernelCiApiKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pullab validate}'s KernelCI check against the real upstream KernelCI API (the peer kit), for what
 * {@link dev.pullab.testkit.KernelCiApiDouble} fakes: {@code /whoami}'s answer and the node-editor group.
 */
@DisplayName("pullab validate against the real KernelCI API")
class ValidateRealApiIT {

    @TempDir
    Path dir;

    private final KernelCiApiKit api = KernelCiApiKit.get();

    @Test
    @DisplayName("the lab's token is accepted by the real /whoami and its user may edit nodes of the runtime")
    void givenLabToken_whenValidated_thenTokenAndNodeEditorOk() throws Exception {
        JarRun run = validate(api.labToken(), api.runtime());

        assertThat(run.out()).contains("ok       kernelci api: " + api.baseUri() + " answers",
                "ok       kernelci token: accepted by " + api.baseUri() + "/whoami: user ",
                "ok       kernelci node editor: ", " may edit nodes of runtime " + api.runtime() + " (groups: ",
                "runtime:" + api.runtime() + ":node-editor")
                .doesNotContain(api.labToken());
    }

    @Test
    @DisplayName("another runtime than the user's group: a problem naming the group to ask for")
    void givenOtherRuntime_whenValidated_thenNodeEditorProblem() throws Exception {
        JarRun run = validate(api.labToken(), api.runtime() + "-other");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem  kernelci node editor: user ", "may not edit nodes of runtime "
                + api.runtime() + "-other", "to group runtime:" + api.runtime() + "-other:node-editor");
    }

    @Test
    @DisplayName("a token the real API refuses is a problem: refused by /whoami (HTTP 401)")
    void givenWrongToken_whenValidated_thenRefused() throws Exception {
        JarRun run = validate("not-a-kernelci-token", api.runtime());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem  kernelci token: the token is refused by " + api.baseUri()
                + "/whoami (HTTP 401)");
    }

    private JarRun validate(String token, String runtime) throws Exception {
        AwsEmulator aws = AwsEmulator.get();
        Path lab = Files.writeString(dir.resolve("lab.env"), "AWS_REGION=" + aws.region().id() + "\n"
                + "AWS_ENDPOINT_URL=" + aws.endpoint() + "\n");
        List<String> env = new ArrayList<>(List.of("KERNELCI_API_BASE_URI=" + api.baseUri(),
                "KERNELCI_API_TOKEN=" + token, "KERNELCI_RUNTIME_NAME=" + runtime));
        aws.environment().forEach((k, v) -> {
            if (!k.equals(AwsEmulator.ENDPOINT_VARIABLE)) {
                env.add(k + "=" + v);
            }
        });
        return JarRun.run(dir, env, "validate", "--lab", lab.toString());
    }
}
