package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.store.ObjectStore;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the sweeper keeps of a VM's console before terminating it, and when it keeps nothing. */
class ConsoleCaptureTest {

    private static final String RUN = "run_pulllab-abc_20261205_054500";
    private static final String VM = "i-0123456789abcdef0";

    private final Map<String, byte[]> written = new LinkedHashMap<>();
    private final ObjectStore store = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
            new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("put")) {
                    written.put(args[0] + "/" + args[1], (byte[]) args[2]);
                    return null;
                }
                throw new AssertionError("unexpected " + method.getName());
            });

    private ConsoleCapture capture(ConsoleReader console) {
        return new ConsoleCapture(console, LogScrubber.forLab("lab-token-0123456789", null), store, "results");
    }

    @Test
    @DisplayName("the console is written scrubbed at <run>/test_<test>/output/<instance>/console-output.log")
    void givenConsole_whenCaptured_thenScrubbedInOutputPrefix() {
        capture(id -> "boot\nAuthorization: Token lab-token-0123456789\n".getBytes(StandardCharsets.UTF_8))
                .beforeTerminate(RUN, "kernelci-boot", VM);

        assertThat(written).containsOnlyKeys(
                "results/" + RUN + "/test_kernelci-boot/output/" + VM + "/console-output.log");
        assertThat(new String(written.values().iterator().next(), StandardCharsets.UTF_8))
                .startsWith("boot\n").contains("[REDACTED:kernelci_token]").doesNotContain("lab-token-0123456789");
    }

    @Test
    @DisplayName("an empty console writes nothing")
    void givenEmptyConsole_whenCaptured_thenNothingWritten() {
        capture(id -> new byte[0]).beforeTerminate(RUN, "kernelci-boot", VM);

        assertThat(written).isEmpty();
    }

    @Test
    @DisplayName("a read that fails is logged, not thrown")
    void givenReadFails_whenCaptured_thenNothingWrittenAndNoThrow() {
        capture(id -> {
            throw new IllegalStateException("throttled");
        }).beforeTerminate(RUN, "kernelci-boot", VM);

        assertThat(written).isEmpty();
    }

    @Test
    @DisplayName("a test tag that is not a test name (a path) writes nothing")
    void givenHostileTestTag_whenCaptured_thenNothingWritten() {
        capture(id -> "boot\n".getBytes(StandardCharsets.UTF_8)).beforeTerminate(RUN, "../../etc", VM);

        assertThat(written).isEmpty();
    }

    @Test
    @DisplayName("the key is the VM's output prefix and the file name")
    void key() {
        assertThat(ConsoleCapture.key(RUN, "ltp", VM))
                .isEqualTo(RUN + "/test_ltp/output/" + VM + "/console-output.log");
    }
}
