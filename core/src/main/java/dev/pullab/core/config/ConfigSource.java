package dev.pullab.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where settings come from, in pullab_cloud's order: an environment variable first, then the {@code kernelci} block
 * of the config file ({@code PULLAB_BASE_CONFIG}, default {@code examples/aws/config.json}; a missing file is an
 * empty config). Blank values count as unset; a JSON {@code null} in the file counts as unset.
 */
public final class ConfigSource {

    /** pullab_cloud's default path of the base config. */
    public static final String DEFAULT_BASE_CONFIG = "examples/aws/config.json";

    private final Map<String, String> env;
    private final JsonNode kernelci;
    private final String configLocation;

    private ConfigSource(Map<String, String> env, JsonNode kernelci, String configLocation) {
        this.env = Map.copyOf(env);
        this.kernelci = kernelci;
        this.configLocation = configLocation;
    }

    /** The process environment and the config file it names. */
    public static ConfigSource fromEnvironment() {
        return of(System.getenv());
    }

    /**
     * @throws ConfigurationException when the config file exists but is not a JSON object, or its {@code kernelci}
     *                                 is not an object (a {@code null} one counts as absent)
     */
    public static ConfigSource of(Map<String, String> env) {
        String path = Optional.ofNullable(env.get("PULLAB_BASE_CONFIG")).filter(s -> !s.isBlank())
                .orElse(DEFAULT_BASE_CONFIG);
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            return new ConfigSource(env, MissingNode.getInstance(), path + " (absent)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigurationException("cannot read config file " + path + ": not JSON: " + e.getOriginalMessage()
                    + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column "
                            + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ConfigurationException("cannot read config file " + path + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigurationException("config file " + path + " is empty; expected a JSON object with a "
                    + "kernelci block (or no file at all)");
        }
        if (!root.isObject()) {
            throw new ConfigurationException("config file " + path + " must be a JSON object, got " + kind(root));
        }
        JsonNode kernelci = root.path("kernelci");
        if (!kernelci.isMissingNode() && !kernelci.isNull() && !kernelci.isObject()) {
            throw new ConfigurationException("config file " + path + ": kernelci must be an object, got "
                    + kind(kernelci));
        }
        return new ConfigSource(env, kernelci, path);
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** Environment only (no config file): for tests and Lambda functions. */
    public static ConfigSource ofEnvironmentOnly(Map<String, String> env) {
        return new ConfigSource(env, MissingNode.getInstance(), "(none)");
    }

    /** A source with a given {@code kernelci} block, for tests. */
    public static ConfigSource of(Map<String, String> env, JsonNode kernelciBlock) {
        return new ConfigSource(env, Objects.requireNonNull(kernelciBlock), "(given)");
    }

    /** An environment variable, if set and not blank. */
    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A key of the config file's {@code kernelci} block, if present, not null and not blank. */
    public Optional<String> config(String key) {
        JsonNode value = kernelci.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        String text = value.isTextual() ? value.asText().trim() : value.toString();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** The environment variable, else the config key. */
    public Optional<String> get(String envName, String configKey) {
        return env(envName).or(() -> config(configKey));
    }

    /** Where the config file was read from, for messages. */
    public String configLocation() {
        return configLocation;
    }
}
