package dev.pullab.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Context defaults from a pullab_cloud {@code config.json} (context {@code config=<path>}), so a lab migrating from
 * pullab_cloud deploys with the file it already has. Its {@code kernelci} block maps to context keys:
 * {@code api_base_uri} → {@code apiBaseUri}, {@code runtime_name} → {@code runtimeName}, {@code platforms} (string or
 * list) → {@code platforms}, {@code kcidb_submit_url} → {@code kcidbSubmitUrl}, {@code kcidb_origin} →
 * {@code kcidbOrigin}, {@code poll_interval_sec} → {@code pollInterval} (whole minutes, rounded up: EventBridge
 * Scheduler's finest rate is one minute). Its {@code test_config.role_name} (the VMs' instance profile of a config
 * run) → {@code vmRoleNames}, so the orchestrator may pass that role. A {@code -c} key always wins over the file.
 *
 * <p>{@code api_token} and {@code kcidb_jwt} are never deployed from the file: a value there would end up in the
 * template. They are reported as {@link #ignored() ignored}, and belong in the stack's secrets.
 */
record PullabCloudConfig(Map<String, String> context, List<String> ignored) {

    private static final Map<String, String> KEYS = Map.of(
            "api_base_uri", "apiBaseUri",
            "runtime_name", "runtimeName",
            "platforms", "platforms",
            "kcidb_submit_url", "kcidbSubmitUrl",
            "kcidb_origin", "kcidbOrigin");

    PullabCloudConfig {
        context = Map.copyOf(context);
        ignored = List.copyOf(ignored);
    }

    /**
     * @throws IllegalArgumentException naming the file and the fault when it is missing, not JSON, or a value has the
     *                                  wrong type
     */
    static PullabCloudConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("context config=" + file + ": no such file (give the path of a"
                    + " pullab_cloud config.json, relative to infra-cdk/)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage());
        }
        JsonNode kernelci = root.path("kernelci");
        Map<String, String> context = new LinkedHashMap<>();
        JsonNode roleName = root.path("test_config").path("role_name");
        if (roleName.isTextual() && !roleName.asText().isBlank()) {
            context.put("vmRoleNames", roleName.asText().trim());
        }
        KEYS.forEach((key, contextKey) -> text(file, kernelci, key).ifPresent(v -> context.put(contextKey, v)));
        text(file, kernelci, "poll_interval_sec").ifPresent(seconds -> context.put("pollInterval",
                Long.toString(minutes(file, seconds))));
        List<String> ignored = new ArrayList<>();
        for (String secret : List.of("api_token", "kcidb_jwt")) {
            if (text(file, kernelci, secret).isPresent()) {
                ignored.add("kernelci." + secret);
            }
        }
        return new PullabCloudConfig(context, ignored);
    }

    private static Optional<String> text(Path file, JsonNode block, String key) {
        JsonNode value = block.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        String text;
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText().trim()));
            text = String.join(",", items);
        } else if (value.isValueNode()) {
            text = value.asText().trim();
        } else {
            throw new IllegalArgumentException(file + ": kernelci." + key + " must be a string, number or list");
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    private static long minutes(Path file, String seconds) {
        long value;
        try {
            value = Long.parseLong(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": kernelci.poll_interval_sec must be a whole number of"
                    + " seconds, got '" + seconds + "'");
        }
        if (value < 1) {
            throw new IllegalArgumentException(file + ": kernelci.poll_interval_sec must be positive, got " + value);
        }
        return Math.max(1, (value + 59) / 60);
    }
}
