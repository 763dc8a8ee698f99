package dev.pullab.cli.lab;

import dev.pullab.aws.AwsClients;
import dev.pullab.aws.CloudFormationStackOutputs;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.config.StackOutputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/**
 * Which lab an operator's command works on (a picocli mixin): a deployed stack by name ({@code --stack}, or
 * {@code PULLAB_STACK}), whose outputs name its resources; a lab file ({@code --lab FILE}, or {@code PULLAB_LAB_FILE}:
 * {@code KEY=VALUE} lines with the functions' variables, as {@code pullab local-run} writes one, which may also set
 * {@code AWS_REGION} and {@code AWS_ENDPOINT_URL}); else the functions' own variables in the environment
 * ({@code PULLAB_RUNS_TABLE}, {@code PULLAB_RESULTS_BUCKET}, …). The operator never types a resource name.
 */
public final class LabOptions {

    /** The variable naming the stack when {@code --stack} is not given. */
    public static final String STACK_VARIABLE = "PULLAB_STACK";
    /** The variable naming a lab file when {@code --lab} is not given. */
    public static final String LAB_FILE_VARIABLE = "PULLAB_LAB_FILE";
    /** A lab file is a few lines; anything bigger is not one. */
    static final long MAX_LAB_FILE_BYTES = 64 * 1024;

    @Option(names = "--stack", paramLabel = "NAME", description = "The deployed lab's CloudFormation stack (default: "
            + "PULLAB_STACK); its outputs name the tables, queues and buckets.")
    String stack;

    @Option(names = "--lab", paramLabel = "FILE", description = "A lab file (KEY=VALUE lines, as local-run writes; "
            + "default: PULLAB_LAB_FILE) instead of a stack.")
    Path labFile;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: the lab file's, else "
            + "AWS_REGION).")
    String region;

    /**
     * The lab: from the file, else the stack, else the environment.
     *
     * @param env    the process environment
     * @param stacks reads a stack's outputs, in the resolved region
     */
    public Lab resolve(UnaryOperator<String> env, Function<Optional<String>, StackOutputs> stacks) {
        Optional<Path> file = Optional.ofNullable(labFile).or(() -> Optional.ofNullable(env.apply(LAB_FILE_VARIABLE))
                .filter(v -> !v.isBlank()).map(Path::of));
        if (file.isPresent()) {
            Map<String, String> values = readLabFile(file.get());
            Optional<String> fileRegion = Optional.ofNullable(region).or(() -> Optional.ofNullable(
                    values.get("AWS_REGION")));
            Optional<String> endpoint = Optional.ofNullable(values.get("AWS_ENDPOINT_URL"));
            // an emulator's dummy keys (local-run writes "test"): used only with the emulator the file names
            Optional<AwsBasicCredentials> emulatorKeys = endpoint.flatMap(e -> Optional.ofNullable(values.get(
                    "AWS_ACCESS_KEY_ID")).filter(k -> !k.isBlank()).flatMap(k -> Optional.ofNullable(values.get(
                    "AWS_SECRET_ACCESS_KEY")).filter(v -> !v.isBlank()).map(v -> AwsBasicCredentials.create(k, v))));
            Map<String, String> settings = new LinkedHashMap<>(values);
            settings.keySet().removeIf(key -> key.startsWith("AWS_"));
            return new Lab(LabNames.fromEnvironment(values, "lab file " + file.get()), fileRegion, endpoint,
                    emulatorKeys, settings);
        }
        Optional<String> stackName = Optional.ofNullable(stack).or(() -> Optional.ofNullable(
                env.apply(STACK_VARIABLE)).filter(v -> !v.isBlank()));
        Optional<String> resolvedRegion = Optional.ofNullable(region);
        if (stackName.isPresent()) {
            Map<String, String> outputs = stacks.apply(resolvedRegion).outputs(stackName.get());
            return new Lab(LabNames.fromStackOutputs(outputs, "stack " + stackName.get()
                    + resolvedRegion.map(r -> " (" + r + ")").orElse("")), resolvedRegion, Optional.empty());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (LabNames.Resource resource : LabNames.ALL) {
            Optional.ofNullable(env.apply(resource.variable())).ifPresent(v -> values.put(resource.variable(), v));
        }
        return new Lab(LabNames.fromEnvironment(values, "the environment (no --stack, --lab, " + STACK_VARIABLE
                + " or " + LAB_FILE_VARIABLE + ")"), resolvedRegion, Optional.empty());
    }

    /** The lab, reading stacks with CloudFormation in the given region. */
    public Lab resolve() {
        return resolve(System::getenv, stackOutputs());
    }

    /** Reads a stack's outputs with CloudFormation in the given region (the default of {@link #resolve()}). */
    public static Function<Optional<String>, StackOutputs> stackOutputs() {
        return r -> new CloudFormationStackOutputs(() -> AwsClients.client(CloudFormationClient.builder(), r,
                "AWS_ENDPOINT_URL_CLOUDFORMATION", "aws.endpointUrlCloudformation"));
    }

    /** {@code KEY=VALUE} lines; blank lines and {@code #} comments skipped; {@code export } prefixes allowed. */
    static Map<String, String> readLabFile(Path file) {
        try {
            if (Files.size(file) > MAX_LAB_FILE_BYTES) {
                throw new ConfigurationException("lab file " + file + " is over " + MAX_LAB_FILE_BYTES
                        + " bytes: not a lab file");
            }
            Map<String, String> values = new LinkedHashMap<>();
            int n = 0;
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("export ")) {
                    line = line.substring("export ".length()).strip();
                }
                int eq = line.indexOf('=');
                if (eq <= 0 || !line.substring(0, eq).matches("[A-Z][A-Z0-9_]*")) {
                    throw new ConfigurationException("lab file " + file + ":" + n + ": not a KEY=VALUE line");
                }
                String value = line.substring(eq + 1).strip();
                if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                        || value.startsWith("\"") && value.endsWith("\""))) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(line.substring(0, eq), value);
            }
            return values;
        } catch (IOException e) {
            throw new ConfigurationException("cannot read lab file " + file + ": " + e.getMessage());
        }
    }

    /**
     * A resolved lab.
     *
     * @param names    its resources
     * @param region   its region, when given (else the SDK's default chain: AWS_REGION, profile)
     * @param endpoint an emulator's endpoint, when the lab file names one (local-run)
     * @param emulatorKeys the emulator's (dummy) access keys, when the lab file names an endpoint and keys
     */
    public record Lab(LabNames names, Optional<String> region, Optional<String> endpoint,
            Optional<AwsBasicCredentials> emulatorKeys, Map<String, String> settings) {

        public Lab {
            settings = Map.copyOf(settings);
        }

        /** A lab without an emulator's keys nor settings of its own. */
        public Lab(LabNames names, Optional<String> region, Optional<String> endpoint) {
            this(names, region, endpoint, Optional.empty(), Map.of());
        }

        /** A lab without settings of its own. */
        public Lab(LabNames names, Optional<String> region, Optional<String> endpoint,
                Optional<AwsBasicCredentials> emulatorKeys) {
            this(names, region, endpoint, emulatorKeys, Map.of());
        }

        /**
         * The settings the commands read (KERNELCI_*, KCIDB_*, …): the lab file's, where it sets them (a local lab's
         * services), else the environment's.
         */
        public java.util.function.UnaryOperator<String> settings(java.util.function.UnaryOperator<String> env) {
            return name -> settings.containsKey(name) ? settings.get(name) : env.apply(name);
        }

        /** Never prints the keys (an emulator's, but keys all the same). */
        @Override
        public String toString() {
            return "Lab[" + names.source() + region.map(r -> ", " + r).orElse("") + endpoint.map(e -> ", " + e)
                    .orElse("") + "]";
        }

        /**
         * An AWS client for this lab: its region, and its emulator's endpoint when the lab file names one (else the
         * environment's {@code AWS_ENDPOINT_URL_<SERVICE>}/{@code AWS_ENDPOINT_URL}, as every pullab client).
         *
         * @param serviceVariable e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}
         * @param serviceProperty e.g. {@code aws.endpointUrlDynamoDb}
         */
        public <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder,
                String serviceVariable, String serviceProperty) {
            // the environment's own keys, when set, still win (AwsClients); an emulator accepts any
            emulatorKeys.ifPresent(keys -> builder.credentialsProvider(StaticCredentialsProvider.create(keys)));
            return AwsClients.client(builder, region, endpoint.map(java.net.URI::create), serviceVariable,
                    serviceProperty);
        }
    }
}
