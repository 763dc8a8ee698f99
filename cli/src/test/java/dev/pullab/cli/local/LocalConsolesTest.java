package dev.pullab.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pullab.core.launch.ConsoleFinding;
import dev.pullab.core.launch.ConsoleReader;
import dev.pullab.core.launch.KernelConsole;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serial consoles of a local run's simulated VMs: what a boot writes, the bound, reading them by instance. */
class LocalConsolesTest {

    private static final String VM = "i-0123456789abcdef0";

    @TempDir
    Path dir;

    @Test
    @DisplayName("a boot writes the kernel banner with its release, a ttyS0 command line, systemd and cloud-init")
    void givenBoot_whenRead_thenKernelBootLines() {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.150-174.273.amzn2023.x86_64");

        consoles.boot(VM, 1, "x86_64", "m5.large");

        String console = new String(consoles.latest(VM), StandardCharsets.UTF_8);
        assertThat(console).startsWith("[    0.000000] Linux version 6.1.150-174.273.amzn2023.x86_64 ")
                .contains("Command line: BOOT_IMAGE=", " console=ttyS0,115200n8")
                .contains("DMI: Amazon EC2 m5.large/")
                .contains("systemd[1]: Detected architecture x86-64.")
                .contains("cloud-init[1187]: Cloud-init v. 22.2.2")
                .endsWith("\n");
        assertThat(KernelConsole.read(console).fatal()).as("a clean boot is not a failure").isEmpty();
    }

    @Test
    @DisplayName("every boot of a VM appends its own banner, naming the boot")
    void givenTwoBoots_whenRead_thenBothBanners() {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0");

        consoles.boot(VM, 1, "arm64", "m7g.large");
        consoles.boot(VM, 2, "arm64", "m7g.large");

        String console = new String(consoles.latest(VM), StandardCharsets.UTF_8);
        assertThat(console.split("Linux version", -1)).hasSize(3);
        assertThat(console).contains("simulated boot 1 of " + VM, "simulated boot 2 of " + VM,
                "Detected architecture arm64.");
    }

    @Test
    @DisplayName("a panic at boot ends in the root-fs panic, which the sweeper's reading finds as the fatal line")
    void givenPanicAtBoot_whenRead_thenPanicIsTheFatalLine() {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0");

        consoles.panicAtBoot(VM, "m5.large");

        String console = new String(consoles.latest(VM), StandardCharsets.UTF_8);
        assertThat(console).doesNotContain("systemd", "cloud-init");
        assertThat(KernelConsole.read(console).fatal()).get().extracting(ConsoleFinding::line)
                .isEqualTo(LocalConsoles.ROOT_FS_PANIC);
    }

    @Test
    @DisplayName("the client's kernel log lines written to the console file are read with the boot lines")
    void givenKmsgLines_whenRead_thenOnTheConsole() throws Exception {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0");
        consoles.boot(VM, 1, "x86_64", "m5.large");

        Files.writeString(consoles.file(VM), "<5>pullab: heartbeat test boot run 1/1 started: run.sh (timeout 600 s)\n",
                StandardOpenOption.APPEND);

        assertThat(new String(consoles.latest(VM), StandardCharsets.UTF_8))
                .endsWith("<5>pullab: heartbeat test boot run 1/1 started: run.sh (timeout 600 s)\n");
    }

    @Test
    @DisplayName("a VM without a console reads as empty")
    void givenNoConsole_whenRead_thenEmpty() {
        assertThat(new LocalConsoles(dir).latest(VM)).isEmpty();
    }

    @Test
    @DisplayName("a console longer than 1 MiB is read as its last 1 MiB")
    void givenLongConsole_whenRead_thenItsLastMebibyte() throws Exception {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0");
        consoles.boot(VM, 1, "x86_64", "m5.large");
        Files.write(consoles.file(VM), "x".repeat(2 * ConsoleReader.MAX_CONSOLE_BYTES).getBytes(),
                StandardOpenOption.APPEND);
        Files.writeString(consoles.file(VM), "\nlast line\n", StandardOpenOption.APPEND);

        byte[] latest = consoles.latest(VM);

        assertThat(latest).hasSize(ConsoleReader.MAX_CONSOLE_BYTES);
        assertThat(new String(latest, StandardCharsets.UTF_8)).endsWith("\nlast line\n").doesNotContain("Linux");
    }

    @Test
    @DisplayName("a console grown past its bound is cut at the next boot to its last 1 MiB, from a line start")
    void givenConsoleOverBound_whenBooted_thenCutToWholeLines() throws Exception {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0");
        consoles.boot(VM, 1, "x86_64", "m5.large");
        String line = "<5>pullab: heartbeat test boot run 1/1 running 300 s\n";
        Files.writeString(consoles.file(VM), line.repeat((int) (LocalConsoles.MAX_FILE_BYTES / line.length()) + 1),
                StandardOpenOption.APPEND);

        consoles.boot(VM, 2, "x86_64", "m5.large");

        long size = Files.size(consoles.file(VM));
        assertThat(size).isLessThanOrEqualTo(ConsoleReader.MAX_CONSOLE_BYTES + 4096L);
        String console = Files.readString(consoles.file(VM));
        assertThat(console).startsWith("<5>pullab: heartbeat").contains("simulated boot 2 of " + VM)
                .doesNotContain("simulated boot 1 of ");
    }

    @Test
    @DisplayName("an instance id that is not one names no file: refused with the expected form")
    void givenHostileInstanceId_whenRead_thenRefused() {
        LocalConsoles consoles = new LocalConsoles(dir);

        assertThatThrownBy(() -> consoles.latest("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an EC2 instance id").hasMessageContaining("i- and 8 to 32 hex digits");
        assertThatThrownBy(() -> consoles.boot("i-xyz", 1, "x86_64", "m5.large"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a kernel release that is not a release name is written as unknown")
    void givenOddKernelRelease_whenBooted_thenUnknown() {
        LocalConsoles consoles = new LocalConsoles(dir, "6.1.0\n[    0.1] Kernel panic - not syncing: x");

        consoles.boot(VM, 1, "x86_64", "m5.large");

        assertThat(new String(consoles.latest(VM), StandardCharsets.UTF_8)).startsWith(
                "[    0.000000] Linux version unknown ").doesNotContain("Kernel panic");
    }
}
