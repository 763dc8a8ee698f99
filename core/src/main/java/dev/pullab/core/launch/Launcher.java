package dev.pullab.core.launch;

/** Starts one VM or task; implementations must pass {@link VmLaunch#clientToken()} to AWS. */
public interface Launcher {

    /**
     * Finds a VM already started for this launch (tagged with its launch id), for a re-run after a crash between
     * the launch and its record.
     *
     * @return its id, or empty
     */
    java.util.Optional<String> find(VmLaunch launch);

    /** Launches and returns the instance id or task ARN. */
    String launch(VmLaunch launch);
}
