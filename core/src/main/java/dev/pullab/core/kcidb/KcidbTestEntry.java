package dev.pullab.core.kcidb;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One test result to report to KCIDB, before it is tied to a job node: {@link KcidbRevisionBuilder} adds the id,
 * {@code build_id}, {@code origin} and the job's {@code misc}. Pull-lab results are tests such as {@code boot},
 * {@code ltp.<case>} and {@code kselftest.<collection>.<case>}; benchmark metrics are tests carrying a
 * {@link KcidbNumber}, with status DONE (measured) or FAIL (regressed).
 *
 * <p>The path is made to match the schema ({@code ^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$}): in each dot-separated
 * component every other character becomes {@code _} (an empty component becomes {@code _}). Strings lose NUL
 * characters, which the schema forbids. Nothing here is ever null: absent values are empty and omitted from the JSON.
 *
 * @param path            dot-separated test path, sanitised
 * @param status          the verdict; empty when unknown (e.g. Maestro's mapping of a timed-out node)
 * @param logUrl          absolute URL of the test's log
 * @param durationSeconds how long the test ran, in seconds, finite and not negative
 * @param startTime       when the test started (serialised in UTC with {@code +00:00})
 * @param number          the measured value, for benchmark metrics
 * @param comment         a human-readable comment
 * @param misc            extra data ({@code misc}); overrides the job-level entries of the same name
 * @param environmentMisc extra data about the environment ({@code environment.misc})
 * @param outputFiles     the test's other outputs ({@code output_files}: name and URL), e.g. the VM's other
 *                        published logs; empty for none (omitted from the JSON)
 * @param idDiscriminator what tells this test apart from others of the same path in one revision, e.g. the instance
 *                        id of the VM that ran it when several VMs report the same path: {@link KcidbRevisionBuilder}
 *                        appends it to the id ({@code <scope>.<path>@<discriminator>}); sanitised like a path
 *                        component, empty for none (the id is then {@code <scope>.<path>}, as before)
 */
public record KcidbTestEntry(String path, Optional<KcidbStatus> status, Optional<URI> logUrl,
                        OptionalDouble durationSeconds, Optional<Instant> startTime, Optional<KcidbNumber> number,
                        Optional<String> comment, Map<String, Object> misc, Map<String, Object> environmentMisc,
                        Optional<String> idDiscriminator, List<KcidbResource> outputFiles) {

    private static final Pattern NOT_PATH_CHAR = Pattern.compile("[^a-zA-Z0-9_-]");

    public KcidbTestEntry {
        path = sanitisePath(Objects.requireNonNull(path, "path"));
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a KCIDB test needs a non-empty path");
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(logUrl, "logUrl");
        logUrl.ifPresent(url -> {
            if (!url.isAbsolute()) {
                throw new IllegalArgumentException("log URL must be absolute: " + url);
            }
        });
        Objects.requireNonNull(durationSeconds, "durationSeconds");
        durationSeconds.ifPresent(seconds -> {
            if (!Double.isFinite(seconds) || seconds < 0) {
                throw new IllegalArgumentException("duration must be a finite, non-negative number of seconds, got "
                        + seconds);
            }
        });
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(number, "number");
        comment = Objects.requireNonNull(comment, "comment").map(KcidbTestEntry::withoutNul).filter(c -> !c.isBlank());
        misc = Map.copyOf(misc);
        environmentMisc = Map.copyOf(environmentMisc);
        idDiscriminator = Objects.requireNonNull(idDiscriminator, "idDiscriminator").filter(d -> !d.isEmpty())
                .map(KcidbTestEntry::sanitiseComponent);
        outputFiles = List.copyOf(outputFiles);
    }

    /** A test without output files (the record's form before {@link #outputFiles()} existed). */
    public KcidbTestEntry(String path, Optional<KcidbStatus> status, Optional<URI> logUrl, OptionalDouble durationSeconds,
                     Optional<Instant> startTime, Optional<KcidbNumber> number, Optional<String> comment,
                     Map<String, Object> misc, Map<String, Object> environmentMisc, Optional<String> idDiscriminator) {
        this(path, status, logUrl, durationSeconds, startTime, number, comment, misc, environmentMisc,
                idDiscriminator, List.of());
    }

    /** A test without an id discriminator (the record's form before {@link #idDiscriminator()} existed). */
    public KcidbTestEntry(String path, Optional<KcidbStatus> status, Optional<URI> logUrl, OptionalDouble durationSeconds,
                     Optional<Instant> startTime, Optional<KcidbNumber> number, Optional<String> comment,
                     Map<String, Object> misc, Map<String, Object> environmentMisc) {
        this(path, status, logUrl, durationSeconds, startTime, number, comment, misc, environmentMisc,
                Optional.empty());
    }

    /** A test with a path and a status, nothing else. */
    public static KcidbTestEntry of(String path, KcidbStatus status) {
        return new KcidbTestEntry(path, Optional.of(status), Optional.empty(), OptionalDouble.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of(), Map.of());
    }

    /** A test whose status is a lab's result string, mapped by {@link KcidbStatus#fromLabResult(String)}. */
    public static KcidbTestEntry fromLabResult(String path, String result) {
        return of(path, KcidbStatus.fromLabResult(result));
    }

    /**
     * A benchmark metric as a test: the value in {@code number}, status FAIL when it regressed, DONE otherwise.
     *
     * @param unit the value's unit; null or blank for none
     */
    public static KcidbTestEntry metric(String path, double value, String unit, boolean regressed) {
        return of(path, regressed ? KcidbStatus.FAIL : KcidbStatus.DONE).withNumber(KcidbNumber.of(value, unit));
    }

    /**
     * A path from components that may themselves contain dots or other characters, e.g.
     * {@code pathOf("kselftest", "net", "ip_defrag.sh")} is {@code kselftest.net.ip_defrag_sh}.
     */
    public static String pathOf(String... components) {
        if (components.length == 0) {
            throw new IllegalArgumentException("a path needs at least one component");
        }
        return Arrays.stream(components).map(KcidbTestEntry::sanitiseComponent).collect(Collectors.joining("."));
    }

    /**
     * The path with every character outside {@code [a-zA-Z0-9_-]} of each dot-separated component replaced by
     * {@code _}, e.g. {@code ltp/abort 01} is {@code ltp_abort_01}, {@code ltp.a..b} is {@code ltp.a._.b}.
     */
    public static String sanitisePath(String path) {
        if (path.isEmpty()) {
            return path;
        }
        return Arrays.stream(path.split("\\.", -1)).map(KcidbTestEntry::sanitiseComponent)
                .collect(Collectors.joining("."));
    }

    private static String sanitiseComponent(String component) {
        return component.isEmpty() ? "_" : NOT_PATH_CHAR.matcher(component).replaceAll("_");
    }

    static String withoutNul(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    }

    public KcidbTestEntry withStatus(KcidbStatus newStatus) {
        return new KcidbTestEntry(path, Optional.of(newStatus), logUrl, durationSeconds, startTime, number, comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    /** This test with no status (KCIDB then shows it as unknown). */
    public KcidbTestEntry withoutStatus() {
        return new KcidbTestEntry(path, Optional.empty(), logUrl, durationSeconds, startTime, number, comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    public KcidbTestEntry withLogUrl(URI url) {
        return new KcidbTestEntry(path, status, Optional.of(url), durationSeconds, startTime, number, comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    /** This test with these output files (replacing any it had). */
    public KcidbTestEntry withOutputFiles(List<KcidbResource> files) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, number, comment, misc,
                environmentMisc, idDiscriminator, files);
    }

    public KcidbTestEntry withDurationSeconds(double seconds) {
        return new KcidbTestEntry(path, status, logUrl, OptionalDouble.of(seconds), startTime, number, comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    public KcidbTestEntry withDuration(Duration duration) {
        return withDurationSeconds(duration.toNanos() / 1e9);
    }

    public KcidbTestEntry withStartTime(Instant start) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, Optional.of(start), number, comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    public KcidbTestEntry withStartTime(OffsetDateTime start) {
        return withStartTime(start.toInstant());
    }

    public KcidbTestEntry withNumber(KcidbNumber value) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, Optional.of(value), comment, misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    public KcidbTestEntry withComment(String text) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, number, Optional.of(text), misc,
                environmentMisc, idDiscriminator, outputFiles);
    }

    /** This test with one more {@code misc} entry (replacing one of the same key); the value must not be null. */
    public KcidbTestEntry withMisc(String key, Object value) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, number, comment, plus(misc, key, value),
                environmentMisc, idDiscriminator, outputFiles);
    }

    /** This test with one more {@code environment.misc} entry, e.g. {@code device}. */
    public KcidbTestEntry withEnvironmentMisc(String key, Object value) {
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, number, comment, misc,
                plus(environmentMisc, key, value), idDiscriminator, outputFiles);
    }

    /**
     * This test with an id discriminator, e.g. the VM's instance id, so that the same path reported by several VMs
     * gets distinct KCIDB ids; characters outside {@code [a-zA-Z0-9_-]} become {@code _}.
     *
     * @throws IllegalArgumentException when the discriminator is empty
     */
    public KcidbTestEntry withIdDiscriminator(String discriminator) {
        if (Objects.requireNonNull(discriminator, "discriminator").isEmpty()) {
            throw new IllegalArgumentException("an id discriminator must not be empty");
        }
        return new KcidbTestEntry(path, status, logUrl, durationSeconds, startTime, number, comment, misc,
                environmentMisc, Optional.of(discriminator), outputFiles);
    }

    /**
     * What tells this test's KCIDB id apart within a revision: the path, then {@code @<discriminator>} when there
     * is one, e.g. {@code boot@i-0abc}. Neither {@code @} nor anything after it can occur in a path.
     */
    public String idSuffix() {
        return idDiscriminator.map(d -> path + "@" + d).orElse(path);
    }

    private static Map<String, Object> plus(Map<String, Object> map, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(map);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, () -> "misc value of " + key));
        return copy;
    }
}
