package dev.pullab.core.validate;

import dev.pullab.core.config.LabNames;
import dev.pullab.core.config.LabNames.Resource;
import java.util.Map;
import java.util.Optional;

/**
 * Which of a lab's resources {@code pullab validate} checks, how, and what a resource the lab does not name means:
 * a deployed stack names every one (a missing output is a problem); a lab on an emulator ({@code local-run}) has no
 * functions nor instance profile; a token given in the environment needs no secret; the logs URL and the QEMU
 * cluster are optional.
 */
public final class LabCheckRules {

    /** How a resource is checked. */
    public enum Kind {
        TABLE("table"), QUEUE("queue"), BUCKET("bucket"), FUNCTION("function"), SECRET("secret"),
        INSTANCE_PROFILE("instance profile"), URL("url"), CLUSTER("ecs cluster");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Map<Resource, Kind> KINDS = Map.ofEntries(
            Map.entry(LabNames.RUNS_TABLE, Kind.TABLE), Map.entry(LabNames.JOBS_TABLE, Kind.TABLE),
            Map.entry(LabNames.CURSOR_TABLE, Kind.TABLE), Map.entry(LabNames.LAUNCHES_TABLE, Kind.TABLE),
            Map.entry(LabNames.RESULTS_BUCKET, Kind.BUCKET), Map.entry(LabNames.STORAGE_BUCKET, Kind.BUCKET),
            Map.entry(LabNames.JOBS_QUEUE, Kind.QUEUE), Map.entry(LabNames.RESULTS_QUEUE, Kind.QUEUE),
            Map.entry(LabNames.JOBS_DLQ, Kind.QUEUE), Map.entry(LabNames.RESULTS_DLQ, Kind.QUEUE),
            Map.entry(LabNames.TRIGGER_FUNCTION, Kind.FUNCTION), Map.entry(LabNames.ANALYZE_FUNCTION, Kind.FUNCTION),
            Map.entry(LabNames.KERNELCI_TOKEN_SECRET, Kind.SECRET), Map.entry(LabNames.KCIDB_JWT_SECRET, Kind.SECRET),
            Map.entry(LabNames.INSTANCE_PROFILE, Kind.INSTANCE_PROFILE), Map.entry(LabNames.LOGS_URL, Kind.URL),
            Map.entry(LabNames.ECS_CLUSTER, Kind.CLUSTER));

    private LabCheckRules() {
    }

    /** How {@code resource} is checked. */
    public static Kind kind(Resource resource) {
        Kind kind = KINDS.get(resource);
        if (kind == null) {
            throw new IllegalArgumentException("no check for " + resource.variable());
        }
        return kind;
    }

    /** The check's name: {@code <kind> <variable>}, e.g. {@code table PULLAB_RUNS_TABLE}. */
    public static String name(Resource resource) {
        return kind(resource).label() + " " + resource.variable();
    }

    /**
     * What it means that the lab does not name {@code resource}.
     *
     * @param names              the lab's names and where they came from
     * @param onEmulator         the lab is on an emulator (a lab file naming an endpoint): no functions, no IAM
     * @param tokenInEnvironment the secret's token is given in the environment instead
     * @return empty when the lab names it (check it); else a problem naming the stack output and variable, or a
     *         skip with why
     */
    public static Optional<Check> whenUnnamed(Resource resource, LabNames names, boolean onEmulator,
            boolean tokenInEnvironment) {
        if (names.find(resource).isPresent()) {
            return Optional.empty();
        }
        String name = name(resource);
        Kind kind = kind(resource);
        if (onEmulator && (kind == Kind.FUNCTION || kind == Kind.INSTANCE_PROFILE)) {
            return Optional.of(Check.skipped(name, kind == Kind.FUNCTION
                    ? "a lab on an emulator (local-run) has no functions; its handlers run in-process"
                    : "a lab on an emulator (local-run) has no instance profile; its VMs are local processes"));
        }
        if (kind == Kind.SECRET && tokenInEnvironment) {
            return Optional.of(Check.skipped(name, "not named by " + names.source() + "; the token is given directly "
                    + "(KERNELCI_API_TOKEN, KCIDB_JWT or UNIFIED_TOKEN in the lab file or the environment)"));
        }
        if (kind == Kind.URL) {
            return Optional.of(Check.skipped(name, "not named by " + names.source() + " (optional: run logs are "
                    + "then only in the results bucket)"));
        }
        if (kind == Kind.CLUSTER) {
            return Optional.of(Check.skipped(name, "not named by " + names.source() + " (optional: only QEMU "
                    + "platforms run there; local-run boots its VMs as local processes)"));
        }
        return Optional.of(Check.problem(name, "the lab's " + resource.what() + " is not named by "
                + names.source(), "deploy the stack (it has output " + resource.stackOutput() + ") and pass --stack "
                + "NAME, or set " + resource.variable() + " in the lab file or the environment"));
    }
}
