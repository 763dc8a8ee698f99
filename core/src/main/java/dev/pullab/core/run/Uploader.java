package dev.pullab.core.run;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who wrote an object under a run, as S3 itself names the principal in its event notification
 * ({@code userIdentity.principalId}). S3 authenticates it, so a VM cannot forge it: a VM's instance-profile session is
 * {@code AWS:<role id>:<instance id>}, a Fargate task role's session {@code AWS:<role id>:<task id>}.
 *
 * @param principalId as S3 gives it, e.g. {@code AWS:AROAEXAMPLEID:i-0abc1234def567890}
 */
public record Uploader(String principalId) {

    /** An assumed-role session: role ids start with AROA. */
    private static final Pattern ROLE_SESSION = Pattern.compile("^(?:AWS:)?AROA[A-Z0-9]+:(.+)$");
    /** The session names the lab's VMs and tasks get: an EC2 instance id, or an ECS task id. */
    private static final Pattern VM_SESSION = Pattern.compile("^(?:i-[0-9a-f]{8,17}|[0-9a-f]{32})$");

    /** The VM (or task) that wrote the object, when the writer was one. */
    public Optional<String> vm() {
        Matcher m = ROLE_SESSION.matcher(principalId);
        return m.matches() && VM_SESSION.matcher(m.group(1)).matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * True when a VM wrote a result under another VM's name. A writer that is not a VM (an operator re-uploading an
     * output, an emulator that names no principal) is not held against the result: the run's launched VMs decide.
     */
    public boolean impersonates(String instanceId) {
        return vm().map(writer -> !writer.equals(instanceId)).orElse(false);
    }
}
