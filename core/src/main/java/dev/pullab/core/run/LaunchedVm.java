package dev.pullab.core.run;

import java.util.Objects;
import java.util.Optional;

/**
 * A VM (or Fargate task) a run launched, and the test it was launched for.
 *
 * @param test       the test it runs; empty only for runs recorded before the lab kept tests per VM
 * @param instanceId the EC2 instance id or the task's id, as it names its output directory
 */
public record LaunchedVm(Optional<String> test, String instanceId) {

    public LaunchedVm {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(instanceId, "instanceId");
    }

    public static LaunchedVm of(String test, String instanceId) {
        return new LaunchedVm(Optional.of(test), instanceId);
    }

    /**
     * The form the runs table keeps: {@code <test>/<instance id>}, the same as a reported VM's key; a bare instance id
     * (a run recorded before tests were kept per VM) has no test.
     */
    public static LaunchedVm fromKey(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? new LaunchedVm(Optional.empty(), key)
                : of(key.substring(0, slash), key.substring(slash + 1));
    }

    public String key() {
        return test.map(t -> t + "/" + instanceId).orElse(instanceId);
    }

    /** Whether this is the VM named by a result's key: the same instance, launched for that test. */
    public boolean is(String resultTest, String resultInstanceId) {
        return instanceId.equals(resultInstanceId) && test.map(resultTest::equals).orElse(true);
    }
}
