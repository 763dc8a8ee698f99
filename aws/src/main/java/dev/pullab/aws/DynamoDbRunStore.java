package dev.pullab.aws;

import dev.pullab.core.run.Executor;
import dev.pullab.core.run.LaunchedVm;
import dev.pullab.core.run.RunRecord;
import dev.pullab.core.run.RunStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The runs table in DynamoDB (key {@code run_id}, TTL {@code expires_at}). */
public final class DynamoDbRunStore implements RunStore {

    static final TableSchema<RunItem> SCHEMA = TableSchemas.run();
    /** Runs are kept for 90 days, long past any deadline. */
    static final Duration RETENTION = Duration.ofDays(90);

    private final DynamoDbTable<RunItem> table;
    private final DynamoDbClient dynamo;

    public DynamoDbRunStore(DynamoDbClient dynamo, String tableName) {
        this.dynamo = dynamo;
        this.table = DynamoDbEnhancedClient.builder().dynamoDbClient(dynamo).build().table(tableName, SCHEMA);
    }

    /** The table's name. */
    public String tableName() {
        return table.tableName();
    }

    @Override
    public RunRecord createIfAbsent(RunRecord record) {
        RunItem item = toItem(record);
        item.setExpiresAt(record.createdAt() + RETENTION.toSeconds());
        if (putIfAbsent(item)) {
            return record;
        }
        return find(record.runPrefix()).orElseThrow();
    }

    @Override
    public Optional<RunRecord> find(String runPrefix) {
        return get(runPrefix).map(DynamoDbRunStore::fromItem);
    }

    @Override
    public void addInstances(String runPrefix, List<LaunchedVm> vms) {
        if (vms.isEmpty()) {
            return;
        }
        List<String> instanceIds = vms.stream().map(LaunchedVm::key).toList();
        // read-merge-write guarded by the list read: concurrent writers retry, duplicates are dropped
        for (int attempt = 0; attempt < 10; attempt++) {
            RunItem stored = get(runPrefix).orElseThrow(() -> new IllegalStateException("no run " + runPrefix));
            List<String> before = stored.getInstanceIds() == null ? List.of() : stored.getInstanceIds();
            LinkedHashSet<String> merged = new LinkedHashSet<>(before);
            merged.addAll(instanceIds);
            if (merged.size() == before.size()) {
                return;
            }
            Map<String, AttributeValue> key = Map.of("run_id", AttributeValue.fromS(runPrefix));
            try {
                dynamo.updateItem(b -> b.tableName(table.tableName()).key(key)
                        .updateExpression("SET instance_ids = :after")
                        .conditionExpression(before.isEmpty()
                                ? "attribute_not_exists(instance_ids) OR size(instance_ids) = :zero"
                                : "instance_ids = :before")
                        .expressionAttributeValues(values(before, new ArrayList<>(merged))));
                return;
            } catch (ConditionalCheckFailedException e) {
                // someone else added instances first: merge again
            }
        }
        throw new IllegalStateException("could not record instances of " + runPrefix + " after 10 attempts");
    }

    private static Map<String, AttributeValue> values(List<String> before, List<String> after) {
        Map<String, AttributeValue> values = new java.util.HashMap<>();
        values.put(":after", list(after));
        if (before.isEmpty()) {
            values.put(":zero", AttributeValue.fromN("0"));
        } else {
            values.put(":before", list(before));
        }
        return values;
    }

    private static AttributeValue list(List<String> strings) {
        return AttributeValue.fromL(strings.stream().map(AttributeValue::fromS).toList());
    }

    @Override
    public boolean transition(String runPrefix, RunRecord.RunState from, RunRecord.RunState to) {
        try {
            dynamo.updateItem(b -> b.tableName(table.tableName())
                    .key(Map.of("run_id", AttributeValue.fromS(runPrefix)))
                    .updateExpression("SET #state = :to")
                    .conditionExpression("#state = :from")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":from", AttributeValue.fromS(from.name()),
                            ":to", AttributeValue.fromS(to.name()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public java.util.OptionalInt markReported(String runPrefix, String vm) {
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(b -> b.tableName(table.tableName())
                    .key(key(runPrefix))
                    .updateExpression("ADD reported :vm")
                    .conditionExpression("attribute_exists(run_id)")
                    .expressionAttributeValues(Map.of(":vm", AttributeValue.fromSs(List.of(vm))))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW)).attributes();
            return java.util.OptionalInt.of(after.get("reported").ss().size());
        } catch (ConditionalCheckFailedException e) {
            return java.util.OptionalInt.empty();
        }
    }

    @Override
    public Optional<dev.pullab.core.run.RunProgress> progress(String runPrefix) {
        return get(runPrefix).map(DynamoDbRunStore::progressOf);
    }

    private static dev.pullab.core.run.RunProgress progressOf(RunItem i) {
        return new dev.pullab.core.run.RunProgress(i.getReported() == null ? java.util.Set.of() : i.getReported(),
                i.getLeaseUntil() == null ? 0 : i.getLeaseUntil(), Optional.ofNullable(i.getKcidbSubmissionId()),
                Optional.ofNullable(i.getNodeFinish()), Optional.ofNullable(i.getVerdict()));
    }

    @Override
    public void recordVerdict(String runPrefix, String verdict) {
        set(runPrefix, "verdict", verdict);
    }

    @Override
    public Recent recent(long since, int limit, int maxScanned) {
        List<dev.pullab.core.run.RunStatus> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int scanned = 0;
        boolean truncated = false;
        Expression created = Expression.builder().expression("created_at >= :since")
                .putExpressionValue(":since", AttributeValue.fromN(Long.toString(since))).build();
        do {
            Map<String, AttributeValue> from = start;
            int pageSize = Math.min(500, Math.max(1, maxScanned - scanned));
            var page = table.scan(b -> b.consistentRead(true).filterExpression(created).limit(pageSize)
                    .exclusiveStartKey(from)).iterator().next();
            // a filtered page counts what it read, not what it kept: the bound is on reads
            scanned += pageSize;
            page.items().forEach(i -> found.add(new dev.pullab.core.run.RunStatus(fromItem(i), progressOf(i))));
            start = page.lastEvaluatedKey() == null || page.lastEvaluatedKey().isEmpty() ? null
                    : page.lastEvaluatedKey();
            if (start != null && scanned >= maxScanned) {
                truncated = true;
                start = null;
            }
        } while (start != null);
        found.sort(java.util.Comparator.comparingLong((dev.pullab.core.run.RunStatus r) -> r.run().createdAt())
                .reversed().thenComparing(r -> r.run().runPrefix()));
        return new Recent(found.subList(0, Math.min(limit, found.size())), truncated);
    }

    @Override
    public boolean startAnalysis(String runPrefix, long now, long leaseUntil) {
        try {
            dynamo.updateItem(b -> b.tableName(table.tableName()).key(key(runPrefix))
                    .updateExpression("SET #state = :analysing, lease_until = :lease")
                    .conditionExpression("#state IN (:launching, :running) OR (#state = :analysing AND "
                            + "(attribute_not_exists(lease_until) OR lease_until < :now))")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(
                            ":analysing", AttributeValue.fromS(RunRecord.RunState.ANALYSING.name()),
                            ":launching", AttributeValue.fromS(RunRecord.RunState.LAUNCHING.name()),
                            ":running", AttributeValue.fromS(RunRecord.RunState.RUNNING.name()),
                            ":lease", AttributeValue.fromN(Long.toString(leaseUntil)),
                            ":now", AttributeValue.fromN(Long.toString(now)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void recordSubmission(String runPrefix, String submissionId) {
        set(runPrefix, "kcidb_submission_id", submissionId);
    }

    @Override
    public void recordNodeFinish(String runPrefix, String outcome) {
        set(runPrefix, "node_finish", outcome);
    }

    @Override
    public List<RunRecord> overdue(long now) {
        return table.scan(b -> b.consistentRead(true).filterExpression(Expression.builder()
                        .expression("attribute_exists(deadline) AND deadline < :now AND #state <> :done")
                        .putExpressionName("#state", "state")
                        .putExpressionValue(":now", AttributeValue.fromN(Long.toString(now)))
                        .putExpressionValue(":done", AttributeValue.fromS(RunRecord.RunState.DONE.name()))
                        .build()))
                .items().stream().map(DynamoDbRunStore::fromItem).toList();
    }

    @Override
    public List<RunRecord> closedPastDeadline(long from, long now) {
        return table.scan(b -> b.consistentRead(true).filterExpression(Expression.builder()
                        .expression("attribute_exists(deadline) AND deadline >= :from AND deadline < :now"
                                + " AND #state = :done")
                        .putExpressionName("#state", "state")
                        .putExpressionValue(":from", AttributeValue.fromN(Long.toString(from)))
                        .putExpressionValue(":now", AttributeValue.fromN(Long.toString(now)))
                        .putExpressionValue(":done", AttributeValue.fromS(RunRecord.RunState.DONE.name()))
                        .build()))
                .items().stream().map(DynamoDbRunStore::fromItem).toList();
    }

    @Override
    public List<RunRecord> open(long now) {
        return table.scan(b -> b.consistentRead(true).filterExpression(Expression.builder()
                        .expression("attribute_exists(deadline) AND deadline >= :now"
                                + " AND #state IN (:launching, :running)")
                        .putExpressionName("#state", "state")
                        .putExpressionValue(":now", AttributeValue.fromN(Long.toString(now)))
                        .putExpressionValue(":launching", AttributeValue.fromS(RunRecord.RunState.LAUNCHING.name()))
                        .putExpressionValue(":running", AttributeValue.fromS(RunRecord.RunState.RUNNING.name()))
                        .build()))
                .items().stream().map(DynamoDbRunStore::fromItem).toList();
    }

    private void set(String runPrefix, String attribute, String value) {
        dynamo.updateItem(b -> b.tableName(table.tableName()).key(key(runPrefix))
                .updateExpression("SET #a = :v")
                .conditionExpression("attribute_exists(run_id)")
                .expressionAttributeNames(Map.of("#a", attribute))
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromS(value))));
    }

    private static Map<String, AttributeValue> key(String runPrefix) {
        return Map.of("run_id", AttributeValue.fromS(runPrefix));
    }

    private boolean putIfAbsent(RunItem item) {
        try {
            table.putItem(PutItemEnhancedRequest.builder(RunItem.class).item(item)
                    .conditionExpression(Expression.builder().expression("attribute_not_exists(run_id)").build())
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private Optional<RunItem> get(String runId) {
        return Optional.ofNullable(table.getItem(GetItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(runId).build()).consistentRead(true).build()));
    }

    private static RunItem toItem(RunRecord r) {
        RunItem item = new RunItem();
        item.setRunId(r.runPrefix());
        item.setTestId(r.testId());
        item.setJobNodeId(r.jobNodeId().orElse(null));
        item.setExecutor(r.executor().name());
        item.setTests(r.tests());
        item.setKernels(r.kernels());
        item.setExpectedVms(r.expectedVms());
        item.setInstanceIds(r.launched().stream().map(LaunchedVm::key).toList());
        item.setState(r.state().name());
        item.setCreatedAt(r.createdAt());
        item.setDeadline(r.deadline());
        return item;
    }

    private static RunRecord fromItem(RunItem i) {
        return new RunRecord(i.getRunId(), i.getTestId(), Optional.ofNullable(i.getJobNodeId()),
                Executor.valueOf(i.getExecutor()), i.getTests() == null ? List.of() : i.getTests(),
                i.getKernels() == null ? List.of() : i.getKernels(),
                i.getExpectedVms() == null ? 0 : i.getExpectedVms(),
                i.getInstanceIds() == null ? List.of()
                        : i.getInstanceIds().stream().map(LaunchedVm::fromKey).toList(),
                RunRecord.RunState.valueOf(i.getState()),
                i.getCreatedAt() == null ? 0 : i.getCreatedAt(), i.getDeadline() == null ? 0 : i.getDeadline());
    }
}
