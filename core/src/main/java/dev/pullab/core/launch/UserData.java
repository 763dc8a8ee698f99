package dev.pullab.core.launch;

/**
 * The user-data script of a test VM: fetch the client from the run's prefix and install it as a systemd unit that
 * starts it at every boot (no SSM session or container has to stay alive). Plain bash for cloud-init on Amazon Linux
 * 2023, which ships the aws CLI.
 */
public final class UserData {

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
        String client = "s3://" + bucket + "/" + runPrefix + "/test-vm-client.sh";
        return "#!/bin/bash\n"
                + "# pullab: install the test client for " + test + " of " + runPrefix + "\n"
                + "set -euo pipefail\n"
                + "for attempt in 1 2 3 4 5 6; do\n"
                + "  aws s3 cp --only-show-errors --region " + quote(region) + " " + quote(client)
                + " /root/test-vm-client.sh && break\n"
                + "  sleep $((attempt * 10))\n"
                + "done\n"
                + "bash /root/test-vm-client.sh install --bucket " + quote(bucket) + " --run-prefix " + quote(runPrefix)
                + " --test " + quote(test) + " --region " + quote(region) + " --max-runtime " + maxRuntimeS
                + " --stage-timeout " + stageTimeoutS + "\n";
    }

    /** Single-quoted for bash. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
