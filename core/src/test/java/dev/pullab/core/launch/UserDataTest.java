package dev.pullab.core.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user-data script: its exact text, and its behaviour when bash runs it with stubs in place of systemd-run,
 * shutdown, aws and the other commands it calls (each stub records its name and arguments, in call order).
 */
@DisplayName("UserData: the VM's user-data script")
class UserDataTest {

    private static final String SCRIPT = UserData.script("pullab-results", "run_pulllab-42_20260520_101530",
            "kernelci-boot", "eu-west-2", 7200, 3600);

    @TempDir
    Path dir;

    @Test
    @DisplayName("the script, exactly: the watchdog at max runtime + 600 s first, then fetch and install the client")
    void exactScript() {
        assertThat(SCRIPT).isEqualTo("""
                #!/bin/bash
                # pullab: install the test client for kernelci-boot of run_pulllab-42_20260520_101530
                set -euo pipefail
                # first of all: power off (terminate) at max runtime + 600 s, whatever hangs below
                if ! systemd-run --quiet --collect --unit=pullab-user-data-watchdog --on-active=7800s systemctl poweroff; then
                  nohup bash -c 'sleep 7800; shutdown -P now || poweroff -f' >/dev/null 2>&1 &
                fi
                fetched=no
                for attempt in 1 2 3 4 5 6; do
                  if aws s3 cp --only-show-errors --region 'eu-west-2' 's3://pullab-results/run_pulllab-42_20260520_101530/test-vm-client.sh' /root/test-vm-client.sh; then fetched=yes; break; fi
                  sleep $((attempt * 10))
                done
                if [ "$fetched" != yes ]; then
                  echo "pullab: cannot fetch "'s3://pullab-results/run_pulllab-42_20260520_101530/test-vm-client.sh'" after 6 attempts: powering off" >&2
                  systemctl poweroff || shutdown -P now
                  exit 1
                fi
                bash /root/test-vm-client.sh install --bucket 'pullab-results' --run-prefix 'run_pulllab-42_20260520_101530' --test 'kernelci-boot' --region 'eu-west-2' --max-runtime 7200 --stage-timeout 3600
                """);
    }

    @Test
    @DisplayName("is well under EC2's 16 KB user-data limit")
    void bounded() {
        assertThat(SCRIPT.getBytes(StandardCharsets.UTF_8)).hasSizeLessThan(2048);
    }

    @Test
    @DisplayName("values are single-quoted: a quote or $(…) in a name stays text")
    void shellSafe() {
        String script = UserData.script("b", "run_x", "t'$(reboot)", "eu-west-2", 60, 60);

        assertThat(script).contains("--test 't'\\''$(reboot)'");
    }

    @Test
    @DisplayName("a max runtime that is not positive is refused")
    void positiveRuntime() {
        assertThatThrownBy(() -> UserData.script("b", "run_x", "t", "eu-west-2", 0, 60))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max runtime");
    }

    @Test
    @DisplayName("run by bash: the systemd watchdog is armed before the first download, then the client installed")
    void watchdogBeforeDownload() throws Exception {
        stubs(0, 0);

        Run run = run();

        assertThat(run.exit()).isZero();
        assertThat(run.calls()).containsExactly(
                "systemd-run --quiet --collect --unit=pullab-user-data-watchdog --on-active=7800s systemctl poweroff",
                "aws s3 cp --only-show-errors --region eu-west-2"
                        + " s3://pullab-results/run_pulllab-42_20260520_101530/test-vm-client.sh /root/test-vm-client.sh",
                "bash /root/test-vm-client.sh install --bucket pullab-results --run-prefix"
                        + " run_pulllab-42_20260520_101530 --test kernelci-boot --region eu-west-2 --max-runtime 7200"
                        + " --stage-timeout 3600");
    }

    @Test
    @DisplayName("run by bash without a working systemd-run: a detached sleep-then-shutdown is armed before the download")
    void fallbackBeforeDownload() throws Exception {
        stubs(1, 0);

        Run run = run();
        // the watchdog is detached (&): when its nohup starts, against the download that follows, is the scheduler's
        // choice, so its call is awaited and the order of arming is read from the script
        List<String> calls = callsOnceThereAre(4);

        assertThat(run.exit()).isZero();
        assertThat(calls.get(0)).startsWith("systemd-run ");
        assertThat(calls).contains("nohup bash -c sleep 7800; shutdown -P now || poweroff -f");
        assertThat(calls.stream().filter(c -> !c.startsWith("nohup ")).skip(1)).satisfiesExactly(
                download -> assertThat(download).startsWith("aws s3 cp "),
                install -> assertThat(install).startsWith("bash /root/test-vm-client.sh install "));
        assertThat(SCRIPT.indexOf("nohup bash -c 'sleep")).isPositive().isLessThan(SCRIPT.indexOf("aws s3 cp"));
    }

    @Test
    @DisplayName("run by bash with the client never fetched: 6 attempts, then power off at once, exit 1")
    void powerOffWhenClientUnreachable() throws Exception {
        stubs(0, 1);

        Run run = run();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.calls().get(0)).startsWith("systemd-run ");
        assertThat(run.calls().stream().filter(c -> c.startsWith("aws s3 cp "))).hasSize(6);
        assertThat(run.calls().stream().filter(c -> c.startsWith("sleep "))).containsExactly(
                "sleep 10", "sleep 20", "sleep 30", "sleep 40", "sleep 50", "sleep 60");
        assertThat(run.calls()).last().isEqualTo("systemctl poweroff");
        assertThat(run.calls()).noneMatch(c -> c.startsWith("bash "));
        assertThat(run.stderr()).contains("pullab: cannot fetch s3://pullab-results/run_pulllab-42_20260520_101530"
                + "/test-vm-client.sh after 6 attempts: powering off");
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private record Run(int exit, List<String> calls, String stderr) {
    }

    /** Stubs on an otherwise empty PATH: each records "name args…" in calls.log and exits with its given status. */
    private void stubs(int systemdRunExit, int awsExit) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String name : List.of("systemd-run", "aws", "nohup", "bash", "sleep", "systemctl", "shutdown",
                "poweroff")) {
            int exit = name.equals("systemd-run") ? systemdRunExit : name.equals("aws") ? awsExit : 0;
            Path stub = bin.resolve(name);
            Files.writeString(stub, "#!/bin/sh\necho \"${0##*/} $*\" >> '" + dir.resolve("calls.log") + "'\nexit "
                    + exit + "\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The calls recorded so far, once there are {@code n} (a detached stub may still be starting; 10 s at most). */
    private List<String> callsOnceThereAre(int n) throws Exception {
        Path log = dir.resolve("calls.log");
        for (int i = 0; i < 100; i++) {
            if (Files.exists(log) && Files.readAllLines(log).size() >= n) {
                break;
            }
            Thread.sleep(100);
        }
        return Files.readAllLines(log);
    }

    private Run run() throws Exception {
        Path script = Files.writeString(dir.resolve("user-data"), SCRIPT);
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", script.toString())
                .redirectError(dir.resolve("stderr").toFile()).redirectOutput(dir.resolve("stdout").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", dir.resolve("bin").toString());
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("user-data finished").isTrue();
        Path log = dir.resolve("calls.log");
        return new Run(process.exitValue(), Files.exists(log) ? Files.readAllLines(log) : List.of(),
                Files.readString(dir.resolve("stderr")));
    }
}
