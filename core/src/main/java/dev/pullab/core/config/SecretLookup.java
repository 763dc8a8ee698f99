package dev.pullab.core.config;

/** Reads a secret's value by id (ARN or name): AWS Secrets Manager in Lambda, a map in tests. */
@FunctionalInterface
public interface SecretLookup {

    /** For environments without secrets: every lookup fails with a message naming the variable to set instead. */
    SecretLookup NONE = id -> {
        throw new ConfigurationException("secret " + id + " cannot be read here: no secrets service configured");
    };

    String value(String secretId);
}
