package dev.pullab.core.config;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the poller needs, resolved as pullab_cloud's wiring guide says: each environment variable first, then the
 * config file's {@code kernelci} block; {@code UNIFIED_TOKEN} stands in for {@code KERNELCI_API_TOKEN} (below the
 * specific variable, above the config file). In AWS the token comes from Secrets Manager:
 * {@code KERNELCI_API_TOKEN_SECRET_ARN} names the secret (same rank as {@code KERNELCI_API_TOKEN}).
 *
 * @param apiBaseUri     {@code KERNELCI_API_BASE_URI} / {@code api_base_uri}
 * @param apiToken       {@code KERNELCI_API_TOKEN} / secret / {@code UNIFIED_TOKEN} / {@code api_token}
 * @param runtimeName    {@code KERNELCI_RUNTIME_NAME} / {@code runtime_name}
 * @param platforms      {@code KERNELCI_PLATFORMS} / {@code platforms}: allow-list, empty for all
 * @param pollIntervalSec {@code PULLAB_POLL_INTERVAL_SEC} / {@code poll_interval_sec} (default 30): the schedule
 * @param pageSize       {@code PULLAB_POLL_PAGE_SIZE} (default 100, at most 1000)
 * @param cursorTable    {@code PULLAB_CURSOR_TABLE}: DynamoDB table of poll cursors
 * @param jobsTable      {@code PULLAB_JOBS_TABLE}: DynamoDB table of job records
 * @param jobsQueueUrl   {@code PULLAB_JOBS_QUEUE_URL}: SQS FIFO queue of claimed jobs
 * @param parallelism    {@code PULLAB_POLL_PARALLELISM} (default 8, 1..32): jobs of a page recorded, claimed and
 *                       queued at once; 1 works one job after another
 */
public record PollerSettings(URI apiBaseUri, Optional<String> apiToken, String runtimeName, Set<String> platforms,
        int pollIntervalSec, int pageSize, Optional<String> cursorTable, Optional<String> jobsTable,
        Optional<String> jobsQueueUrl, int parallelism) {

    /** Jobs of one page worked on at once unless {@code PULLAB_POLL_PARALLELISM} says otherwise. */
    public static final int DEFAULT_PARALLELISM = 8;
    /** The most {@code PULLAB_POLL_PARALLELISM} may be. */
    public static final int MAX_PARALLELISM = 32;

    private static final Logger LOG = LoggerFactory.getLogger(PollerSettings.class);

    public PollerSettings {
        platforms = Set.copyOf(platforms);
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new ConfigurationException("PULLAB_POLL_PARALLELISM must be a whole number from 1 to "
                    + MAX_PARALLELISM + ", got " + parallelism);
        }
    }

    /** With {@link #DEFAULT_PARALLELISM}. */
    public PollerSettings(URI apiBaseUri, Optional<String> apiToken, String runtimeName, Set<String> platforms,
            int pollIntervalSec, int pageSize, Optional<String> cursorTable, Optional<String> jobsTable,
            Optional<String> jobsQueueUrl) {
        this(apiBaseUri, apiToken, runtimeName, platforms, pollIntervalSec, pageSize, cursorTable, jobsTable,
                jobsQueueUrl, DEFAULT_PARALLELISM);
    }

    /**
     * @throws ConfigurationException naming the first missing or malformed value
     */
    public static PollerSettings resolve(ConfigSource source, SecretLookup secrets) {
        KernelCiAccess access = KernelCiAccess.resolve(source, secrets);
        String runtime = source.get("KERNELCI_RUNTIME_NAME", "runtime_name")
                .orElseThrow(() -> ConfigurationException.missing("runtime_name", "KERNELCI_RUNTIME_NAME"));
        Set<String> platforms = source.get("KERNELCI_PLATFORMS", "platforms").map(PollerSettings::list)
                .orElse(Set.of());
        source.get("PULLAB_CURSOR_FILE", "cursor_file").ifPresent(file -> LOG.warn(
                "PULLAB_CURSOR_FILE / cursor_file ({}) is not used: the cursor lives in DynamoDB (PULLAB_CURSOR_TABLE)",
                file));
        return new PollerSettings(access.apiBaseUri(), access.apiToken(), runtime, platforms,
                integer(source.get("PULLAB_POLL_INTERVAL_SEC", "poll_interval_sec"),
                        "PULLAB_POLL_INTERVAL_SEC / kernelci.poll_interval_sec", 30,
                        1, 86_400),
                integer(source.env("PULLAB_POLL_PAGE_SIZE"), "PULLAB_POLL_PAGE_SIZE", 100, 1, 1000),
                source.env("PULLAB_CURSOR_TABLE"), source.env("PULLAB_JOBS_TABLE"), source.env("PULLAB_JOBS_QUEUE_URL"),
                integer(source.env("PULLAB_POLL_PARALLELISM"), "PULLAB_POLL_PARALLELISM", DEFAULT_PARALLELISM, 1,
                        MAX_PARALLELISM));
    }

    /** The token, or pullab_cloud's missing-configuration error: claiming writes to the API. */
    public String requireApiToken() {
        return apiToken.orElseThrow(() -> ConfigurationException.missing("api_token", "KERNELCI_API_TOKEN"));
    }

    /** Table and queue names, or an error naming the variable that is missing. */
    public String require(Optional<String> value, String envName) {
        return value.orElseThrow(() -> new ConfigurationException("Missing required configuration: " + envName
                + " (the AWS resource the poller writes to; infra-cdk sets it on the function)"));
    }

    @Override
    public String toString() {
        return "PollerSettings[api=" + apiBaseUri + ", token=" + (apiToken.isPresent() ? "(set)" : "(none)")
                + ", runtime=" + runtimeName + ", platforms=" + platforms + ", pageSize=" + pageSize
                + ", cursorTable=" + cursorTable.orElse("-") + ", jobsTable=" + jobsTable.orElse("-")
                + ", jobsQueueUrl=" + jobsQueueUrl.orElse("-") + ", parallelism=" + parallelism + "]";
    }

    /** A comma-separated list, or a JSON array as the config file may hold it. */
    private static Set<String> list(String text) {
        String body = text.trim();
        if (body.startsWith("[") && body.endsWith("]")) {
            body = body.substring(1, body.length() - 1).replace("\"", "");
        }
        return Arrays.stream(body.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static int integer(Optional<String> text, String name, int fallback, int min, int max) {
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get().trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name + " must be a whole number from " + min + " to " + max + ", got '"
                    + text.get() + "'");
        }
    }
}
