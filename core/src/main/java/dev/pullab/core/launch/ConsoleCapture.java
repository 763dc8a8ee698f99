package dev.pullab.core.launch;

import dev.pullab.core.log.LogScrubber;
import dev.pullab.core.log.ScrubReport;
import dev.pullab.core.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a VM's serial console before it is terminated: read (latest, bounded), scrubbed of secrets, and written as
 * {@value #FILE_NAME} beside the VM's other outputs, {@code <run>/test_<test>/output/<instance id>/}. So a VM that
 * never ran the client (a kernel that panicked at boot) still leaves a log. A capture that fails (the service refuses,
 * the console is empty, a name is not one we launch) is logged and skipped: it never keeps a VM alive.
 */
public final class ConsoleCapture implements VmReaper.BeforeTermination {

    /** The name of the console log in the VM's output prefix. */
    public static final String FILE_NAME = "console-output.log";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleCapture.class);
    private static final Pattern TEST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,32}");

    private final ConsoleReader console;
    private final LogScrubber scrubber;
    private final ObjectStore store;
    private final String bucket;

    /**
     * @param scrubber applied to every console before it is written (give the lab's secrets with
     *                 {@link LogScrubber#forLab})
     * @param bucket   the results bucket the VMs write their outputs to
     */
    public ConsoleCapture(ConsoleReader console, LogScrubber scrubber, ObjectStore store, String bucket) {
        this.console = console;
        this.scrubber = scrubber;
        this.store = store;
        this.bucket = bucket;
    }

    /** Where a VM's console log goes: {@code <run>/test_<test>/output/<instance id>/console-output.log}. */
    public static String key(String runPrefix, String test, String instanceId) {
        return runPrefix + "/test_" + test + "/output/" + instanceId + "/" + FILE_NAME;
    }

    /** Whether a test tag and an instance id are ones we launch (so fit to name a key). */
    static boolean ours(String test, String instanceId) {
        return TEST.matcher(test).matches() && INSTANCE.matcher(instanceId).matches();
    }

    @Override
    public void beforeTerminate(String runPrefix, String test, String instanceId) {
        if (!ours(test, instanceId)) {
            LOG.warn("run {}: console of {} (test {}) not kept: not a test name and instance id we launch",
                    runPrefix, instanceId, test);
            return;
        }
        String key = key(runPrefix, test, instanceId);
        try {
            byte[] raw = console.latest(instanceId);
            if (raw.length == 0) {
                LOG.info("run {}: {} has no console output to keep", runPrefix, instanceId);
                return;
            }
            ByteArrayOutputStream scrubbed = new ByteArrayOutputStream(raw.length);
            ScrubReport report = scrubber.scrub(new ByteArrayInputStream(raw), scrubbed);
            store.put(bucket, key, scrubbed.toByteArray(), "text/plain; charset=utf-8");
            LOG.info("run {}: kept the console of {} ({} bytes) at s3://{}/{}, redacted {}", runPrefix, instanceId,
                    scrubbed.size(), bucket, key, report.redactions());
        } catch (IOException | RuntimeException e) {
            LOG.warn("run {}: console of {} not kept at s3://{}/{} ({}); terminating it anyway", runPrefix,
                    instanceId, bucket, key, e.toString());
        }
    }
}
