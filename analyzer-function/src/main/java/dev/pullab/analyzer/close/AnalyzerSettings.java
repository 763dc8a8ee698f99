package dev.pullab.analyzer.close;

import dev.pullab.core.launch.WatchSettings;
import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.analysis.Correction;
import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.config.SecretLookup;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.log.PublishedLogs;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The analyzer's settings, from the function's environment.
 *
 * @param region    AWS region (for log URLs)
 * @param runsTable {@code PULLAB_RUNS_TABLE}
 * @param resultsBucket {@code PULLAB_RESULTS_BUCKET}: where the sweeper looks for outputs
 * @param kcidb     KCIDB submission, when {@code KCIDB_SUBMIT_URL}/{@code KCIDB_REST} (or the config file) names a
 *                  receiver; the JWT may come from Secrets Manager ({@code KCIDB_JWT_SECRET_ARN})
 * @param kernelci  the KernelCI API, to finish job nodes ({@code KERNELCI_API_BASE_URI}, token as the poller's)
 * @param options   the verdict rule: {@code PULLAB_CORRECTION} (holm), {@code PULLAB_ALPHA} (0.05),
 *                  {@code PULLAB_MIN_EFFECT} (0.5)
 * @param readLimits how much of a run's VM output is read into memory, in whole MiB:
 *                  {@code PULLAB_READ_LIMIT_FILE_MIB} (16), {@code PULLAB_READ_LIMIT_VM_MIB} (32),
 *                  {@code PULLAB_READ_LIMIT_RUN_MIB} (64); a file beyond them is reported, not read (mind the
 *                  function's memory: parsed CSVs take about five times their size); the per-file limit also
 *                  caps how much of one log is published
 * @param logsUrl   {@code PULLAB_LOGS_URL} ({@link PublishedLogs#BASE_URL_ENV}): the https base under which the
 *                  stack serves the published logs ({@code logs/} of the results bucket); the link of a log is this
 *                  base, a slash and its raw key. Unset: links are the S3 URLs of the published copies, which do not
 *                  open without AWS credentials while the bucket blocks public access
 * <p>The sweeper also reads {@code PULLAB_HANG_MINUTES} (30; 0 turns hang detection off) and
 * {@code PULLAB_WATCH_MAX_VMS} (100), its watch over running VMs: see {@link WatchSettings}.
 */
public record AnalyzerSettings(String region, String runsTable, Optional<String> resultsBucket,
        Optional<KcidbSettings> kcidb,
        Optional<KernelCiAccess> kernelci, AnalysisOptions options, ReadLimits readLimits, Optional<URI> logsUrl) {

    public AnalyzerSettings {
        Objects.requireNonNull(readLimits, "readLimits");
        Objects.requireNonNull(logsUrl, "logsUrl");
    }

    /** Settings without a logs URL (links are S3 URLs of the published copies). */
    public AnalyzerSettings(String region, String runsTable, Optional<String> resultsBucket,
            Optional<KcidbSettings> kcidb, Optional<KernelCiAccess> kernelci, AnalysisOptions options,
            ReadLimits readLimits) {
        this(region, runsTable, resultsBucket, kcidb, kernelci, options, readLimits, Optional.empty());
    }

    /** These settings with the logs served under {@code base}. */
    public AnalyzerSettings withLogsUrl(URI base) {
        return new AnalyzerSettings(region, runsTable, resultsBucket, kcidb, kernelci, options, readLimits,
                Optional.of(logsUrl(base.toString())));
    }

    /** Settings with the default read limits. */
    public AnalyzerSettings(String region, String runsTable, Optional<String> resultsBucket,
            Optional<KcidbSettings> kcidb, Optional<KernelCiAccess> kernelci, AnalysisOptions options) {
        this(region, runsTable, resultsBucket, kcidb, kernelci, options, ReadLimits.DEFAULTS);
    }

    public static AnalyzerSettings resolve(Map<String, String> env, SecretLookup secrets) {
        ConfigSource source = ConfigSource.ofEnvironmentOnly(env);
        String region = source.env("AWS_REGION").or(() -> source.env("AWS_DEFAULT_REGION"))
                .orElseThrow(() -> new ConfigurationException("Missing required configuration: AWS_REGION"));
        String runs = source.env("PULLAB_RUNS_TABLE").orElseThrow(() -> new ConfigurationException(
                "Missing required configuration: PULLAB_RUNS_TABLE (infra-cdk sets it on the function)"));
        boolean kcidbConfigured = source.env("KCIDB_SUBMIT_URL").or(() -> source.env("KCIDB_REST")).isPresent();
        Optional<KcidbSettings> kcidb = kcidbConfigured ? Optional.of(KcidbSettings.resolve(withSecret(env, secrets)))
                : Optional.empty();
        Optional<KernelCiAccess> kernelci = source.env("KERNELCI_API_BASE_URI").isPresent()
                ? Optional.of(KernelCiAccess.resolve(source, secrets)) : Optional.empty();
        return new AnalyzerSettings(region, runs, source.env("PULLAB_RESULTS_BUCKET"), kcidb, kernelci,
                options(source), readLimits(source),
                source.env(PublishedLogs.BASE_URL_ENV).map(AnalyzerSettings::logsUrl));
    }

    /**
     * The base URL of the published logs: absolute https with a host, no query, fragment or user info; a trailing
     * slash is dropped.
     *
     * @throws ConfigurationException naming {@code PULLAB_LOGS_URL} and what is wrong with it
     */
    static URI logsUrl(String text) {
        String name = PublishedLogs.BASE_URL_ENV;
        URI url;
        try {
            url = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(name + " is not a URL (" + e.getMessage() + "); set it to the https "
                    + "base under which the stack serves logs/, e.g. https://d111111abcdef8.cloudfront.net");
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new ConfigurationException(name + " must be an https URL with a host, got '" + text + "': "
                    + "dashboard users open these links in a browser");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new ConfigurationException(name + " must have no query, fragment or user info, got '" + text
                    + "': the log's key is appended to it as a path");
        }
        String base = url.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base);
    }

    private static ReadLimits readLimits(ConfigSource source) {
        long mib = 1L << 20;
        long file = mebibytes(source, "PULLAB_READ_LIMIT_FILE_MIB", ReadLimits.DEFAULT_PER_FILE_MIB);
        long vm = mebibytes(source, "PULLAB_READ_LIMIT_VM_MIB", ReadLimits.DEFAULT_PER_VM_MIB);
        long run = mebibytes(source, "PULLAB_READ_LIMIT_RUN_MIB", ReadLimits.DEFAULT_PER_RUN_MIB);
        return new ReadLimits(file * mib, vm * mib, run * mib);
    }

    /** A whole number of MiB from 1 to 1024 (the per-file limit must stay below 2 GiB in any case). */
    private static long mebibytes(ConfigSource source, String name, int fallback) {
        Optional<String> text = source.env(name).map(String::strip);
        if (text.isEmpty()) {
            return fallback;
        }
        if (!text.get().matches("[0-9]{1,4}") || Integer.parseInt(text.get()) < 1
                || Integer.parseInt(text.get()) > 1024) {
            throw new ConfigurationException(name + " must be a whole number of MiB from 1 to 1024, got '"
                    + text.get() + "'");
        }
        return Integer.parseInt(text.get());
    }

    /** {@code KCIDB_JWT_SECRET_ARN} stands in for {@code KCIDB_JWT} (same rank) when that is not set. */
    private static ConfigSource withSecret(Map<String, String> env, SecretLookup secrets) {
        Map<String, String> copy = new HashMap<>(env);
        String arn = env.get("KCIDB_JWT_SECRET_ARN");
        if ((env.get("KCIDB_JWT") == null || env.get("KCIDB_JWT").isBlank()) && arn != null && !arn.isBlank()) {
            copy.put("KCIDB_JWT", secrets.value(arn));
        }
        return ConfigSource.ofEnvironmentOnly(copy);
    }

    private static AnalysisOptions options(ConfigSource source) {
        try {
            return new AnalysisOptions(
                    source.env("PULLAB_CORRECTION").map(Correction::parse).orElse(Correction.HOLM),
                    source.env("PULLAB_ALPHA").map(Double::parseDouble).orElse(AnalysisOptions.DEFAULT_ALPHA),
                    source.env("PULLAB_MIN_EFFECT").map(Double::parseDouble)
                            .orElse(AnalysisOptions.DEFAULT_MIN_EFFECT),
                    source.env("PULLAB_MIN_CHANGE").map(Double::parseDouble)
                            .orElse(AnalysisOptions.DEFAULT_MIN_CHANGE_PCT),
                    source.env("PULLAB_PAIRING").map(p -> AnalysisOptions.Pairing.valueOf(
                            p.trim().toUpperCase(java.util.Locale.ROOT))).orElse(AnalysisOptions.Pairing.AUTO));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("PULLAB_CORRECTION / PULLAB_ALPHA / PULLAB_MIN_EFFECT / PULLAB_MIN_CHANGE"
                    + " / PULLAB_PAIRING (auto or off): " + e.getMessage());
        }
    }
}
