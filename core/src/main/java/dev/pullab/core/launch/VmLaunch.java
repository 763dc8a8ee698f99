package dev.pullab.core.launch;

import dev.pullab.core.run.RunPlan;
import dev.pullab.core.run.VmGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One VM (or Fargate task) of a run.
 *
 * @param plan  the run
 * @param group its VM group
 * @param index its 0-based index in the run (VMs numbered across groups in order)
 */
public record VmLaunch(RunPlan plan, VmGroup group, int index) {

    /** {@code <run prefix>#<index>}: the launch intent's key and the instance's {@code pullab:launch-id} tag. */
    public String launchId() {
        return plan.runPrefix() + "#" + index;
    }

    /**
     * The idempotency token for RunInstances / RunTask: 64 hex characters (EC2 allows 64 ASCII characters) derived
     * from run prefix and index, so every delivery of the same job asks for the same launch.
     */
    public String clientToken() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(launchId().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
