package dev.pullab.core.config;

/** A setting that is missing or malformed; the message says which and how to set it. */
public class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    /** pullab_cloud's message for a missing value, e.g. {@code Missing required configuration: kernelci.kcidb_jwt}. */
    public static ConfigurationException missing(String configKey, String envName) {
        return new ConfigurationException("Missing required configuration: kernelci." + configKey
                + " (set " + envName + " or kernelci." + configKey + " in the config file)");
    }
}
