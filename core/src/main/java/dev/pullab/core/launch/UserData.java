package dev.pullab.core.launch;

/**
 * The user-data script of a test VM. Its first action, before anything that could hang (download, install, boot of
 * the client), arms a power-off watchdog at the VM's max runtime plus {@link #WATCHDOG_MARGIN_S}: with
 * terminate-on-shutdown the VM then terminates even when nothing after it ever runs. Then it fetches the client from
 * the run's prefix and installs it as a systemd unit that starts it at every boot (no SSM session or container has to
 * stay alive); a client that cannot be fetched powers the VM off at once instead of leaving it idle until the
 * watchdog. Plain bash for cloud-init on Amazon Linux 2023, which ships the aws CLI.
 *
 * <p>The watchdog is a transient systemd timer ({@code systemd-run --on-active}), or, where {@code systemd-run} is
 * missing or fails, a detached {@code sleep} then {@code shutdown -P now}. Neither survives a reboot: from its first
 * start the client records the first boot and re-arms its own safety timer on every boot (vm-tests/README.md).
 */
public final class UserData {

    /** Time after the VM's max runtime before the user-data watchdog powers it off (the client's expiry reports first). */
    public static final int WATCHDOG_MARGIN_S = 600;
    /** Attempts to fetch the client; a wait follows each failed one, 10 s more each time (210 s in all). */
    static final int FETCH_ATTEMPTS = 6;

    private UserData() {
    }

    /**
     * @param bucket       results bucket
     * @param runPrefix    the run
     * @param test         the vm-tests test this VM runs
     * @param region       AWS region
     * @param maxRuntimeS  the VM's safety timer
     * @param stageTimeoutS per-stage timeout
     */
    public static String script(String bucket, String runPrefix, String test, String region, int maxRuntimeS,
            int stageTimeoutS) {
        if (maxRuntimeS < 1 || stageTimeoutS < 1) {
            throw new IllegalArgumentException("max runtime and stage timeout must be positive seconds, got "
                    + maxRuntimeS + " and " + stageTimeoutS);
        }
        long watchdogS = (long) maxRuntimeS + WATCHDOG_MARGIN_S;
        String client = "s3://" + bucket + "/" + runPrefix + "/test-vm-client.sh";
        return "#!/bin/bash\n"
                + "# pullab: install the test client for " + oneLine(test) + " of " + oneLine(runPrefix) + "\n"
                + "set -euo pipefail\n"
                + "# first of all: power off (terminate) at max runtime + " + WATCHDOG_MARGIN_S + " s, whatever hangs below\n"
                + "if ! systemd-run --quiet --collect --unit=pullab-user-data-watchdog --on-active=" + watchdogS + "s"
                + " systemctl poweroff; then\n"
                + "  nohup bash -c 'sleep " + watchdogS + "; shutdown -P now || poweroff -f' >/dev/null 2>&1 &\n"
                + "fi\n"
                + "fetched=no\n"
                + "for attempt in " + attempts() + "; do\n"
                + "  if aws s3 cp --only-show-errors --region " + quote(region) + " " + quote(client)
                + " /root/test-vm-client.sh; then fetched=yes; break; fi\n"
                + "  sleep $((attempt * 10))\n"
                + "done\n"
                + "if [ \"$fetched\" != yes ]; then\n"
                + "  echo \"pullab: cannot fetch \"" + quote(client) + "\" after " + FETCH_ATTEMPTS
                + " attempts: powering off\" >&2\n"
                + "  systemctl poweroff || shutdown -P now\n"
                + "  exit 1\n"
                + "fi\n"
                + "bash /root/test-vm-client.sh install --bucket " + quote(bucket) + " --run-prefix " + quote(runPrefix)
                + " --test " + quote(test) + " --region " + quote(region) + " --max-runtime " + maxRuntimeS
                + " --stage-timeout " + stageTimeoutS + "\n";
    }

    private static String attempts() {
        return java.util.stream.IntStream.rangeClosed(1, FETCH_ATTEMPTS).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /** Single-quoted for bash. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** For the comment line: no line breaks that would end the comment. */
    private static String oneLine(String value) {
        return value.replaceAll("[\\r\\n]", "?");
    }
}
