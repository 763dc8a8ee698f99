package dev.pullab.cli.local;

import dev.pullab.core.launch.ConsoleReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The serial consoles of the VMs a local run simulates: one file per instance, {@code <root>/<instance id>/}{@value
 * #FILE_NAME}, holding what EC2's {@code GetConsoleOutput} would show. {@link LocalVmExecutor} appends a few kernel
 * boot lines at every boot of a VM (the kernel banner, its command line with {@code console=ttyS0}, systemd and
 * cloud-init) and points the VM client's kernel log ({@code KMSG}, {@code /dev/kmsg} on a real VM) at the file, so
 * the client's heartbeat lines land on the console as they would. A VM whose kernel panics at boot gets the panic
 * instead of the client.
 *
 * <p>As a {@link ConsoleReader} it serves a console by instance id: its last {@link ConsoleReader#MAX_CONSOLE_BYTES}
 * bytes. Bounded: before each boot a console over {@link #MAX_FILE_BYTES} is cut to its last
 * {@link ConsoleReader#MAX_CONSOLE_BYTES} bytes (from a line start), as EC2 keeps only the latest output.
 */
public final class LocalConsoles implements ConsoleReader {

    /** The console's file name in a VM's directory. */
    public static final String FILE_NAME = "console-output.log";
    /** The most a console file grows to before the next boot cuts it. */
    public static final long MAX_FILE_BYTES = 4L * MAX_CONSOLE_BYTES;
    /** The line a kernel that cannot mount its root file system prints last, as the fault {@code panicsAtBoot}. */
    public static final String ROOT_FS_PANIC =
            "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)";

    private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,32}");
    private static final Pattern KERNEL = Pattern.compile("[A-Za-z0-9._+~-]{1,64}");

    private final Path root;
    private final String kernel;

    /** Consoles under {@code root}, their kernel banner naming this machine's kernel release ({@code uname -r}). */
    public LocalConsoles(Path root) {
        this(root, System.getProperty("os.version", ""));
    }

    /**
     * @param root   directory holding one directory per instance
     * @param kernel the kernel release the banners name; a value that is not a release name gives {@code unknown}
     */
    LocalConsoles(Path root, String kernel) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
        this.kernel = kernel != null && KERNEL.matcher(kernel).matches() ? kernel : "unknown";
    }

    /**
     * The console file of an instance (not created).
     *
     * @throws IllegalArgumentException when {@code instanceId} is not an EC2 instance id ({@code i-} and 8 to 32 hex
     *                                  digits), so that a hostile id never names a path outside the root
     */
    public Path file(String instanceId) {
        if (instanceId == null || !INSTANCE.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("not an EC2 instance id: '" + instanceId
                    + "' (expected i- and 8 to 32 hex digits)");
        }
        return root.resolve(instanceId).resolve(FILE_NAME);
    }

    /** Appends what the kernel, systemd and cloud-init print on ttyS0 as boot {@code boot} of the VM starts. */
    public void boot(String instanceId, int boot, String architecture, String instanceType) {
        append(instanceId, banner(instanceId, boot, instanceType) + String.join("\n",
                "[    1.402113] Run /sbin/init as init process",
                "[    2.118230] systemd[1]: Detected virtualization amazon.",
                "[    2.118871] systemd[1]: Detected architecture " + arch(architecture) + ".",
                "[    6.734512] cloud-init[1187]: Cloud-init v. 22.2.2 running 'modules:final' (pullab local-run boot "
                        + boot + ")",
                "[    7.015006] systemd[1]: Started pullab-client.service - pullab VM test client.",
                ""));
    }

    /**
     * Appends a boot whose kernel cannot mount its root file system and panics ({@link #ROOT_FS_PANIC}): user space,
     * so the VM client, never runs.
     */
    public void panicAtBoot(String instanceId, String instanceType) {
        append(instanceId, banner(instanceId, 1, instanceType) + String.join("\n",
                "[    1.391187] VFS: Cannot open root device \"nvme0n1p1\" or unknown-block(0,0): error -6",
                "[    1.391530] Please append a correct \"root=\" boot option; here are the available partitions:",
                "[    1.392014] " + ROOT_FS_PANIC,
                "[    1.392377] CPU: 0 PID: 1 Comm: swapper/0 Not tainted " + kernel + " #1",
                "[    1.393121] ---[ end " + ROOT_FS_PANIC + " ]---",
                ""));
    }

    /**
     * The last {@link ConsoleReader#MAX_CONSOLE_BYTES} bytes of the instance's console; empty when it has none.
     *
     * @throws UncheckedIOException when the file exists and cannot be read
     */
    @Override
    public byte[] latest(String instanceId) {
        Path file = file(instanceId);
        if (!Files.isRegularFile(file)) {
            return new byte[0];
        }
        try {
            return tail(file, MAX_CONSOLE_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console of " + instanceId + " at " + file, e);
        }
    }

    private String banner(String instanceId, int boot, String instanceType) {
        String cmdline = "BOOT_IMAGE=(hd0,gpt1)/boot/vmlinuz-" + kernel + " root=/dev/nvme0n1p1 ro console=tty0 "
                + "console=ttyS0,115200n8 nvme_core.io_timeout=4294967295";
        return String.join("\n",
                "[    0.000000] Linux version " + kernel + " (pullab local-run) #1 SMP PREEMPT_DYNAMIC "
                        + "(simulated boot " + boot + " of " + instanceId + ")",
                "[    0.000000] Command line: " + cmdline,
                "[    0.000000] DMI: Amazon EC2 " + safe(instanceType) + "/, BIOS 1.0 10/16/2017",
                "[    0.000000] Hypervisor detected: KVM",
                "");
    }

    private static String arch(String architecture) {
        return "arm64".equals(architecture) ? "arm64" : "x86-64";
    }

    private static String safe(String instanceType) {
        return instanceType != null && instanceType.matches("[a-z0-9.-]{1,32}") ? instanceType : "unknown";
    }

    private void append(String instanceId, String text) {
        Path file = file(instanceId);
        try {
            Files.createDirectories(file.getParent());
            bound(file);
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the console of " + instanceId + " at " + file, e);
        }
    }

    /** A console over {@link #MAX_FILE_BYTES} keeps its last {@link ConsoleReader#MAX_CONSOLE_BYTES}, whole lines. */
    private static void bound(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) <= MAX_FILE_BYTES) {
            return;
        }
        byte[] tail = tail(file, MAX_CONSOLE_BYTES);
        int start = 0;
        while (start < tail.length && tail[start] != '\n') {
            start++;
        }
        start = start < tail.length ? start + 1 : 0;
        byte[] kept = new byte[tail.length - start];
        System.arraycopy(tail, start, kept, 0, kept.length);
        Files.write(file, kept);
    }

    private static byte[] tail(Path file, int maxBytes) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int n = (int) Math.min(length, maxBytes);
            byte[] bytes = new byte[n];
            in.seek(length - n);
            in.readFully(bytes);
            return bytes;
        }
    }
}
