package dev.pullab.cli;

import dev.pullab.cli.lab.LabOptions;
import dev.pullab.core.config.LabNames;
import dev.pullab.core.config.LabNames.Resource;
import dev.pullab.core.validate.Check;
import dev.pullab.core.validate.KernelRpms;
import dev.pullab.core.validate.LabCheckRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * {@code pullab validate}'s checks of the lab's AWS resources: each exists (DescribeTable, GetQueueAttributes,
 * HeadBucket, GetFunction, DescribeSecret, GetInstanceProfile, DescribeClusters), and the storage bucket holds the kernel RPMs. Only
 * reads; a secret's value is never read here.
 */
final class LabResourceChecks {

    /** One page of keys is plenty to count a few kernels per arch. */
    static final int MAX_RPM_KEYS = 1000;

    private final LabOptions.Lab lab;
    private final Lazy<DynamoDbClient> dynamo;
    private final Lazy<SqsClient> sqs;
    private final Lazy<S3Client> s3;
    private final Lazy<LambdaClient> lambda;
    private final Lazy<SecretsManagerClient> secrets;
    private final Lazy<IamClient> iam;
    private final Lazy<EcsClient> ecs;

    LabResourceChecks(LabOptions.Lab lab) {
        this.lab = lab;
        this.dynamo = new Lazy<>(() -> lab.client(DynamoDbClient.builder(), "AWS_ENDPOINT_URL_DYNAMODB",
                "aws.endpointUrlDynamoDb"));
        this.sqs = new Lazy<>(() -> lab.client(SqsClient.builder(), "AWS_ENDPOINT_URL_SQS", "aws.endpointUrlSqs"));
        this.s3 = new Lazy<>(() -> lab.client(S3Client.builder(), "AWS_ENDPOINT_URL_S3", "aws.endpointUrlS3"));
        this.lambda = new Lazy<>(() -> lab.client(LambdaClient.builder(), "AWS_ENDPOINT_URL_LAMBDA",
                "aws.endpointUrlLambda"));
        this.secrets = new Lazy<>(() -> lab.client(SecretsManagerClient.builder(),
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", "aws.endpointUrlSecretsManager"));
        this.iam = new Lazy<>(() -> lab.client(IamClient.builder(), "AWS_ENDPOINT_URL_IAM", "aws.endpointUrlIam"));
        this.ecs = new Lazy<>(() -> lab.client(EcsClient.builder(), "AWS_ENDPOINT_URL_ECS", "aws.endpointUrlEcs"));
    }

    /** Whether the lab is on an emulator (a lab file naming its endpoint). */
    boolean onEmulator() {
        return lab.endpoint().isPresent();
    }

    SecretsManagerClient secretsManager() {
        return secrets.get();
    }

    IamClient iam() {
        return iam.get();
    }

    /** One check per resource {@link LabNames#ALL} knows. */
    List<Check> resources(boolean kernelciTokenInEnvironment, boolean kcidbJwtInEnvironment) {
        List<Check> checks = new ArrayList<>();
        for (Resource resource : LabNames.ALL) {
            boolean tokenInEnvironment = resource == LabNames.KERNELCI_TOKEN_SECRET ? kernelciTokenInEnvironment
                    : kcidbJwtInEnvironment;
            Optional<Check> unnamed = LabCheckRules.whenUnnamed(resource, lab.names(), onEmulator(),
                    tokenInEnvironment);
            checks.add(unnamed.orElseGet(() -> exists(resource, lab.names().require(resource))));
        }
        return checks;
    }

    private Check exists(Resource resource, String id) {
        String name = LabCheckRules.name(resource);
        String fix = "deploy the stack again (cdk deploy), or correct " + resource.variable() + " / the stack output "
                + resource.stackOutput();
        try {
            return switch (LabCheckRules.kind(resource)) {
                case TABLE -> {
                    String status = dynamo.get().describeTable(b -> b.tableName(id)).table().tableStatusAsString();
                    yield Check.ok(name, "table " + id + " exists (" + status + ")");
                }
                case QUEUE -> {
                    sqs.get().getQueueAttributes(b -> b.queueUrl(id).attributeNames(QueueAttributeName.QUEUE_ARN));
                    yield Check.ok(name, "queue " + id + " exists");
                }
                case BUCKET -> {
                    s3.get().headBucket(b -> b.bucket(id));
                    yield Check.ok(name, "bucket " + id + " exists and is reachable");
                }
                case FUNCTION -> {
                    String state = lambda.get().getFunction(b -> b.functionName(id)).configuration().stateAsString();
                    yield Check.ok(name, "function " + id + " exists" + (state == null ? "" : " (" + state + ")"));
                }
                case SECRET -> {
                    secrets.get().describeSecret(b -> b.secretId(id));
                    yield Check.ok(name, "secret " + id + " exists (value not read)");
                }
                case INSTANCE_PROFILE -> {
                    iam.get().getInstanceProfile(b -> b.instanceProfileName(id));
                    yield Check.ok(name, "instance profile " + id + " exists");
                }
                case URL -> Check.ok(name, id + " (not fetched)");
                case CLUSTER -> {
                    boolean active = ecs.get().describeClusters(b -> b.clusters(id)).clusters().stream()
                            .anyMatch(c -> "ACTIVE".equals(c.status()));
                    yield active ? Check.ok(name, "ecs cluster " + id + " is active")
                            : Check.problem(name, resource.what() + " " + id + " does not exist or is not active",
                                    fix);
                }
            };
        } catch (ResourceNotFoundException | QueueDoesNotExistException | NoSuchBucketException
                | NoSuchEntityException | software.amazon.awssdk.services.lambda.model.ResourceNotFoundException
                | software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException e) {
            return Check.problem(name, resource.what() + " " + id + " does not exist", fix);
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Check.problem(name, resource.what() + " " + id + " does not exist", fix);
            }
            return Check.problem(name, "cannot check " + resource.what() + " " + id + ": " + CliErrors.describe(e),
                    "grant the caller read access to it (see the permissions check)");
        } catch (SdkException e) {
            return Check.problem(name, "cannot check " + resource.what() + " " + id + ": " + CliErrors.describe(e),
                    "check the AWS credentials, region and endpoint");
        }
    }

    /** The kernel RPMs of each arch in the storage bucket. */
    List<Check> kernelRpms(List<String> arches, int minimum) {
        Optional<String> bucket = lab.names().find(LabNames.STORAGE_BUCKET);
        if (bucket.isEmpty()) {
            return List.of(Check.skipped("kernel rpms", "no storage bucket named (see its check)"));
        }
        List<Check> checks = new ArrayList<>();
        for (String arch : arches) {
            try {
                List<String> keys = s3.get().listObjectsV2(b -> b.bucket(bucket.get()).prefix(KernelRpms.prefix(arch))
                        .maxKeys(MAX_RPM_KEYS)).contents().stream().map(S3Object::key).toList();
                checks.add(KernelRpms.check(arch, bucket.get(), keys, minimum));
            } catch (SdkException e) {
                checks.add(Check.problem("kernel rpms " + arch, "cannot list s3://" + bucket.get() + "/"
                        + KernelRpms.prefix(arch) + ": " + CliErrors.describe(e), "see the storage bucket's check"));
            }
        }
        return checks;
    }

    /** Builds a client on first use, so a check that is skipped builds none. */
    static final class Lazy<T> implements Supplier<T> {
        private final Supplier<T> factory;
        private T value;

        Lazy(Supplier<T> factory) {
            this.factory = factory;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }
    }
}
