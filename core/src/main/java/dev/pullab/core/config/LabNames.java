package dev.pullab.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a lab's resources are, for the operator's commands: the names its functions are given, under the environment
 * variables the functions read ({@code PULLAB_RUNS_TABLE}, {@code PULLAB_RESULTS_BUCKET}, …), so a lab file is also a
 * valid environment for the functions and {@code pullab poll}. They come from a deployed stack's outputs
 * ({@link #fromStackOutputs}), from a lab file that {@code pullab local-run} writes, or from the environment.
 *
 * @param names  resource names by variable
 * @param source where they came from, for errors and {@code validate}: {@code stack pullab (eu-west-2)}, a file, …
 */
public record LabNames(Map<String, String> names, String source) {

    /** One resource the commands may need: its variable, the stack output that names it, and what it is. */
    public record Resource(String variable, String stackOutput, String what) {
    }

    public static final Resource RUNS_TABLE = new Resource("PULLAB_RUNS_TABLE", "RunsTableName", "runs table");
    public static final Resource JOBS_TABLE = new Resource("PULLAB_JOBS_TABLE", "JobsTableName", "jobs table");
    public static final Resource CURSOR_TABLE = new Resource("PULLAB_CURSOR_TABLE", "CursorTableName",
            "cursor table");
    public static final Resource LAUNCHES_TABLE = new Resource("PULLAB_LAUNCHES_TABLE", "LaunchesTableName",
            "launch intents table");
    public static final Resource RESULTS_BUCKET = new Resource("PULLAB_RESULTS_BUCKET", "ResultsBucketName",
            "results bucket");
    public static final Resource STORAGE_BUCKET = new Resource("PULLAB_STORAGE_BUCKET", "StorageBucketName",
            "storage bucket");
    public static final Resource JOBS_QUEUE = new Resource("PULLAB_JOBS_QUEUE_URL", "JobsQueueUrl", "jobs queue");
    public static final Resource RESULTS_QUEUE = new Resource("PULLAB_RESULTS_QUEUE_URL", "ResultsQueueUrl",
            "results queue");
    public static final Resource JOBS_DLQ = new Resource("PULLAB_JOBS_DLQ_URL", "JobsDeadLetterQueueUrl",
            "jobs dead-letter queue");
    public static final Resource RESULTS_DLQ = new Resource("PULLAB_RESULTS_DLQ_URL", "ResultsDeadLetterQueueUrl",
            "results dead-letter queue");
    public static final Resource TRIGGER_FUNCTION = new Resource("PULLAB_TRIGGER_FUNCTION", "TriggerFunctionName",
            "trigger function (BuildComplete events)");
    public static final Resource ANALYZE_FUNCTION = new Resource("PULLAB_ANALYZE_FUNCTION", "AnalyzeRunFunctionName",
            "on-demand analysis function");
    public static final Resource KERNELCI_TOKEN_SECRET = new Resource("KERNELCI_API_TOKEN_SECRET_ARN",
            "KernelciApiTokenSecretArn", "KernelCI token secret");
    public static final Resource KCIDB_JWT_SECRET = new Resource("KCIDB_JWT_SECRET_ARN", "KcidbJwtSecretArn",
            "KCIDB JWT secret");
    public static final Resource INSTANCE_PROFILE = new Resource("PULLAB_INSTANCE_PROFILE", "VmInstanceProfileName",
            "VMs' instance profile");
    public static final Resource LOGS_URL = new Resource("PULLAB_LOGS_URL", "PublicLogsUrl", "public logs URL");
    public static final Resource ECS_CLUSTER = new Resource("PULLAB_ECS_CLUSTER", "QemuClusterName",
            "QEMU runners' ECS cluster");

    /**
     * A lab run by {@code pullab local-run --serve}: the queue its trigger loop reads BuildComplete events from, in
     * place of the trigger function (an emulator has no Lambda). Never a stack output; not in {@link #ALL}.
     */
    public static final Resource TRIGGER_QUEUE = new Resource("PULLAB_TRIGGER_QUEUE_URL", "TriggerQueueUrl",
            "local lab's trigger queue (local-run --serve)");
    /** Resources only a local lab has (read from a lab file or the environment, never from a stack). */
    public static final List<Resource> LOCAL_ONLY = List.of(TRIGGER_QUEUE);

    /** Every resource the commands know, in the order {@code validate} checks them. */
    public static final List<Resource> ALL = List.of(RUNS_TABLE, JOBS_TABLE, CURSOR_TABLE, LAUNCHES_TABLE,
            RESULTS_BUCKET, STORAGE_BUCKET, JOBS_QUEUE, RESULTS_QUEUE, JOBS_DLQ, RESULTS_DLQ, TRIGGER_FUNCTION,
            ANALYZE_FUNCTION, KERNELCI_TOKEN_SECRET, KCIDB_JWT_SECRET, INSTANCE_PROFILE, LOGS_URL,
            ECS_CLUSTER);

    public LabNames {
        names = Map.copyOf(names);
        Objects.requireNonNull(source, "source");
    }

    /** The names a deployed stack's outputs give (outputs the commands do not know are left out). */
    public static LabNames fromStackOutputs(Map<String, String> outputs, String source) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Resource resource : ALL) {
            Optional.ofNullable(outputs.get(resource.stackOutput())).filter(v -> !v.isBlank())
                    .ifPresent(v -> names.put(resource.variable(), v));
        }
        return new LabNames(names, source);
    }

    /** The names set in an environment (or a lab file read as one): the variables the functions read. */
    public static LabNames fromEnvironment(Map<String, String> env, String source) {
        Map<String, String> names = new LinkedHashMap<>();
        for (List<Resource> resources : List.of(ALL, LOCAL_ONLY)) {
            for (Resource resource : resources) {
                Optional.ofNullable(env.get(resource.variable())).map(String::strip).filter(v -> !v.isEmpty())
                        .ifPresent(v -> names.put(resource.variable(), v));
            }
        }
        return new LabNames(names, source);
    }

    /** The resource's name, when known. */
    public Optional<String> find(Resource resource) {
        return Optional.ofNullable(names.get(resource.variable()));
    }

    /**
     * The resource's name.
     *
     * @throws ConfigurationException naming the resource, where it was looked for and how to give it
     */
    public String require(Resource resource) {
        return find(resource).orElseThrow(() -> new ConfigurationException("the lab's " + resource.what()
                + " is not known from " + source + ": deploy the stack (its output " + resource.stackOutput()
                + ") and pass --stack NAME, pass --lab FILE (local-run writes one), or set " + resource.variable()));
    }
}
