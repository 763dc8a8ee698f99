package dev.pullab.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The lab's AWS resources, described once: the tables, queues (each with a dead-letter queue), buckets and the
 * results bucket's notification. {@code pullab local-run} creates them on the emulator from this description, and
 * the CDK stack declares the same.
 */
public final class LabResources {

    /**
     * A DynamoDB table (on-demand).
     *
     * @param id           short name: {@code cursor}, {@code jobs}, {@code runs}, {@code launches}
     * @param partitionKey its string key attribute
     * @param ttlAttribute the TTL attribute (epoch seconds), when its records expire
     */
    public record Table(String id, String partitionKey, Optional<String> ttlAttribute) {
    }

    /**
     * An SQS queue and its dead-letter queue.
     *
     * @param id                short name: {@code jobs}, {@code results}
     * @param fifo              FIFO queue (jobs: deduplication by node id)
     * @param visibilityTimeout seconds; longer than the consuming function's timeout
     * @param maxReceiveCount   deliveries before a message moves to the dead-letter queue
     */
    public record Queue(String id, boolean fifo, int visibilityTimeout, int maxReceiveCount) {
    }

    public static final List<Table> TABLES = List.of(
            new Table("cursor", "runtime", Optional.empty()),
            new Table("jobs", "node_id", Optional.of("expires_at")),
            new Table("runs", "run_id", Optional.of("expires_at")),
            new Table("launches", "launch_id", Optional.of("expires_at")));
    public static final List<Queue> QUEUES = List.of(
            new Queue("jobs", true, 900, 5),
            new Queue("results", false, 900, 5));
    /** {@code results}: runs, payloads and outputs; {@code storage}: configs and artifacts tests request. */
    public static final List<String> BUCKETS = List.of("results", "storage");
    /** The results bucket notifies the results queue of every object whose key ends so. */
    public static final String RESULT_SUFFIX = "result.txt";
    /**
     * What a test VM (or QEMU task) may read in the results bucket: the run's client (user-data fetches it), its test's
     * payload, the run's shared files and its own resume state. Never a run's analysis or another bucket prefix.
     */
    public static final List<String> VM_READS = List.of("run_*/test-vm-client.sh", "run_*/test_*/input/*",
            "run_*/shared/*", "run_*/test_*/state/*");
    /**
     * What a test VM (or QEMU task) may write: its outputs and its resume state, nothing it reads as input. Which
     * VM's outputs count is decided by the analyzer ({@code RunRecord.admit}, {@code Uploader}), not by these keys.
     */
    public static final List<String> VM_WRITES = List.of("run_*/test_*/output/*", "run_*/test_*/state/*");

    private LabResources() {
    }

    /**
     * The names of created resources, by id.
     *
     * @param tables    table names
     * @param queueUrls queue URLs
     * @param dlqUrls   dead-letter queue URLs
     * @param buckets   bucket names
     */
    public record Created(Map<String, String> tables, Map<String, String> queueUrls, Map<String, String> dlqUrls,
            Map<String, String> buckets) {
    }

    /** Creates every resource named {@code <prefix>-<id>} (for local runs on an emulator). */
    public static Created create(String prefix, DynamoDbClient dynamo, SqsClient sqs, S3Client s3) {
        Map<String, String> tables = new LinkedHashMap<>();
        for (Table table : TABLES) {
            String name = prefix + "-" + table.id();
            dynamo.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName(table.partitionKey()).keyType(KeyType.HASH)
                            .build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(table.partitionKey())
                            .attributeType(ScalarAttributeType.S).build()));
            table.ttlAttribute().ifPresent(ttl -> dynamo.updateTimeToLive(b -> b.tableName(name)
                    .timeToLiveSpecification(t -> t.enabled(true).attributeName(ttl))));
            tables.put(table.id(), name);
        }
        Map<String, String> queues = new LinkedHashMap<>();
        Map<String, String> dlqs = new LinkedHashMap<>();
        for (Queue queue : QUEUES) {
            String suffix = queue.fifo() ? ".fifo" : "";
            Map<QueueAttributeName, String> fifo = queue.fifo() ? Map.of(QueueAttributeName.FIFO_QUEUE, "true")
                    : Map.of();
            String dlq = sqs.createQueue(b -> b.queueName(prefix + "-" + queue.id() + "-dlq" + suffix)
                    .attributes(fifo)).queueUrl();
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            Map<QueueAttributeName, String> attributes = new LinkedHashMap<>(fifo);
            attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(queue.visibilityTimeout()));
            attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                    + "\",\"maxReceiveCount\":\"" + queue.maxReceiveCount() + "\"}");
            String url = sqs.createQueue(b -> b.queueName(prefix + "-" + queue.id() + suffix).attributes(attributes))
                    .queueUrl();
            queues.put(queue.id(), url);
            dlqs.put(queue.id(), dlq);
        }
        Map<String, String> buckets = new LinkedHashMap<>();
        for (String id : BUCKETS) {
            String name = prefix + "-" + id;
            s3.createBucket(b -> b.bucket(name));
            buckets.put(id, name);
        }
        String resultsQueueArn = sqs.getQueueAttributes(b -> b.queueUrl(queues.get("results"))
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        s3.putBucketNotificationConfiguration(b -> b.bucket(buckets.get("results")).notificationConfiguration(n -> n
                .queueConfigurations(q -> q.queueArn(resultsQueueArn).events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(r -> r.name("suffix").value(RESULT_SUFFIX)))))));
        return new Created(tables, queues, dlqs, buckets);
    }
}
