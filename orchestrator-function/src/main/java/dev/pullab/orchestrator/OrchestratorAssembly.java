package dev.pullab.orchestrator;

import dev.pullab.aws.DynamoDbRunStore;
import dev.pullab.aws.Lazy;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.store.S3Location;
import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.job.LabConfig;
import dev.pullab.core.kernelci.FinishOutcome;
import dev.pullab.core.kernelci.JobOutcome;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.aws.Ec2Launcher;
import dev.pullab.aws.FargateLauncher;
import dev.pullab.aws.DynamoDbLaunchIntents;
import dev.pullab.orchestrator.launch.RunLauncher;
import dev.pullab.orchestrator.payload.RunUploader;
import dev.pullab.orchestrator.payload.VmTestBundle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Puts the {@link Orchestrator} together from settings and AWS clients (shared by the handlers and local runs). */
public final class OrchestratorAssembly {

    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorAssembly.class);

    private OrchestratorAssembly() {
    }

    /**
     * The AWS clients the orchestrator uses. EC2, SSM and ECS may be given as suppliers ({@link #lazy}), called on
     * first use: a run of EC2 VMs never needs ECS, a run of QEMU tasks never needs EC2 or SSM, and each SDK client
     * built costs cold-start time (the EC2 client alone loads some 800 request classes).
     */
    public static final class Clients {
        private final S3Client s3;
        private final DynamoDbClient dynamo;
        private final Supplier<Ec2Client> ec2;
        private final Supplier<SsmClient> ssm;
        private final Supplier<EcsClient> ecs;

        public Clients(S3Client s3, DynamoDbClient dynamo, Ec2Client ec2, SsmClient ssm, EcsClient ecs) {
            this(s3, dynamo, () -> ec2, () -> ssm, () -> ecs);
        }

        private Clients(S3Client s3, DynamoDbClient dynamo, Supplier<Ec2Client> ec2, Supplier<SsmClient> ssm,
                Supplier<EcsClient> ecs) {
            this.s3 = s3;
            this.dynamo = dynamo;
            this.ec2 = ec2;
            this.ssm = ssm;
            this.ecs = ecs;
        }

        /** EC2, SSM and ECS built by their supplier on first use, once. */
        public static Clients lazy(S3Client s3, DynamoDbClient dynamo, Supplier<Ec2Client> ec2,
                Supplier<SsmClient> ssm, Supplier<EcsClient> ecs) {
            return new Clients(s3, dynamo, Lazy.of(ec2), Lazy.of(ssm), Lazy.of(ecs));
        }

        public S3Client s3() {
            return s3;
        }

        public DynamoDbClient dynamo() {
            return dynamo;
        }

        public Ec2Client ec2() {
            return ec2.get();
        }

        public SsmClient ssm() {
            return ssm.get();
        }

        public EcsClient ecs() {
            return ecs.get();
        }
    }

    public static Orchestrator create(OrchestratorSettings settings, Clients aws, RetryPolicy retries, Clock clock) {
        S3ObjectStore objects = new S3ObjectStore(aws.s3());
        LabConfig lab = labConfig(settings, objects);
        RunLauncher launcher = new RunLauncher(new DynamoDbLaunchIntents(aws.dynamo(), settings.launchesTable()),
                new Ec2Launcher(aws.ec2, aws.ssm, settings.launch()),
                new FargateLauncher(aws.ecs, settings.launch()),
                new DynamoDbRunStore(aws.dynamo(), settings.runsTable()), clock);
        JobDefinitionFetcher fetcher = new JobDefinitionFetcher(new RetryingHttp("job definition", retries),
                lab.jobDefinitions().allowedHosts(), lab.jobDefinitions().maxBytes());
        return new Orchestrator(lab, fetcher, new RunUploader(objects, VmTestBundle.fromClasspath()), launcher,
                finisher(settings, retries), settings.resultsBucket(),
                settings.storageBucket().orElse(settings.resultsBucket()), clock, settings.launch().region());
    }

    private static Function<JobOutcome, FinishOutcome> finisher(OrchestratorSettings settings, RetryPolicy retries) {
        return outcome -> {
            KernelCiClient client = settings.kernelci().map(access -> new KernelCiClient(access.apiBaseUri(),
                    Optional.of(access.requireToken()), new RetryingHttp("KernelCI API", retries)))
                    .orElseThrow(() -> new ConfigurationException("Missing required configuration: "
                            + "kernelci.api_base_uri (KERNELCI_API_BASE_URI): needed to finish job "
                            + outcome.nodeId()));
            return client.finish(outcome);
        };
    }

    /** A config file, never more than {@link ObjectStore#MAX_CONFIG_BYTES} of it. */
    private static byte[] localConfig(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = ReadLimits.readAtMost(in, ObjectStore.MAX_CONFIG_BYTES);
            if (content.length > ObjectStore.MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + ObjectStore.MAX_CONFIG_BYTES
                        + " bytes, too large for a config");
            }
            return content;
        }
    }

    /** {@code PULLAB_LAB_CONFIG} from S3 or a file, else the built-in defaults. */
    static LabConfig labConfig(OrchestratorSettings settings, ObjectStore objects) {
        if (settings.labConfig().isEmpty()) {
            return LabConfig.defaults();
        }
        String location = settings.labConfig().get();
        try {
            byte[] json = location.startsWith("s3://") ? objects.config(S3Location.parse(location))
                    : localConfig(Path.of(location));
            LabConfig config = LabConfig.parse(json);
            config.warnings().forEach(warning -> LOG.warn("lab config {}: {}", location, warning));
            return config;
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("cannot read the lab config PULLAB_LAB_CONFIG=" + location + ": "
                    + e.getMessage());
        }
    }
}
