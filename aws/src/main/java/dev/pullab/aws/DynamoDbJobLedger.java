package dev.pullab.aws;

import dev.pullab.core.poll.JobLedger;
import dev.pullab.core.poll.JobRecord;
import dev.pullab.core.poll.JobState;
import dev.pullab.core.job.JobTicket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.BatchWriteItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.WriteBatch;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.UpdateItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The jobs table: conditional put to record, conditional update to move a job's state, grouped plain writes to mark
 * sent jobs QUEUED. Thread-safe (the poll cycle
 * records and claims the jobs of a page in parallel).
 */
public final class DynamoDbJobLedger implements JobLedger {

    static final TableSchema<JobItem> SCHEMA = TableSchemas.job();
    /** Records are kept well past KernelCI's 7-day event retention, so a re-delivered event always finds them. */
    static final Duration RETENTION = Duration.ofDays(30);

    private static final Expression ABSENT = Expression.builder()
            .expression("attribute_not_exists(#node)")
            .putExpressionName("#node", "node_id")
            .build();

    /** Attempts at writing what a {@code BatchWriteItem} left unprocessed (throttling), with a growing pause. */
    static final int BATCH_ATTEMPTS = 5;

    private final DynamoDbEnhancedClient dynamo;
    private final DynamoDbTable<JobItem> table;
    private final Clock clock;

    public DynamoDbJobLedger(DynamoDbEnhancedClient dynamo, String tableName, Clock clock) {
        this.dynamo = dynamo;
        this.table = dynamo.table(tableName, SCHEMA);
        this.clock = clock;
    }

    @Override
    public JobRecord recordIfAbsent(JobRecord record) {
        JobItem item = toItem(record);
        item.setRecordedAt(clock.instant().toString());
        item.setUpdatedAt(item.getRecordedAt());
        item.setExpiresAt(clock.instant().plus(RETENTION).getEpochSecond());
        try {
            table.putItem(PutItemEnhancedRequest.builder(JobItem.class).item(item).conditionExpression(ABSENT)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build());
            return record;
        } catch (ConditionalCheckFailedException e) {
            // the refusal carries the stored record (one call for a duplicate); read it only if it did not
            if (e.hasItem() && !e.item().isEmpty()) {
                return fromItem(SCHEMA.mapToItem(e.item()));
            }
            return find(record.nodeId()).orElseThrow(() -> new IllegalStateException(
                    "job " + record.nodeId() + " vanished from " + table.tableName(), e));
        }
    }

    @Override
    public boolean transition(String nodeId, JobState from, JobState to, String reason) {
        JobItem change = new JobItem();
        change.setNodeId(nodeId);
        change.setState(to.name());
        change.setUpdatedAt(clock.instant().toString());
        if (reason != null && !reason.isEmpty()) {
            change.setReason(reason);
        }
        Expression inState = Expression.builder()
                .expression("#state = :from")
                .putExpressionName("#state", "state")
                .putExpressionValue(":from", AttributeValue.fromS(from.name()))
                .build();
        try {
            table.updateItem(UpdateItemEnhancedRequest.builder(JobItem.class).item(change).ignoreNulls(true)
                    .conditionExpression(inState).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * One {@code BatchWriteItem} per call (at most 25 records): each record written whole with state QUEUED, its
     * ticket, claim marker and reason kept. A batch write takes no condition, which is right here (see
     * {@link JobLedger#markQueued}). {@code recorded_at} becomes the time of this write: the record does not carry the
     * first one, and for a job recorded and queued in one poll they are seconds apart. What the service leaves
     * unprocessed (throttling) is written again, up to {@value #BATCH_ATTEMPTS} attempts, else this throws: the poll
     * fails before the cursor moves, and the next one sends again (the FIFO queue drops the copy) and marks again.
     */
    @Override
    public List<Boolean> markQueued(List<JobRecord> sent) {
        if (sent.isEmpty()) {
            return List.of();
        }
        if (sent.size() > 25) {
            throw new IllegalArgumentException("at most 25 records per BatchWriteItem, got " + sent.size());
        }
        String now = clock.instant().toString();
        long expires = clock.instant().plus(RETENTION).getEpochSecond();
        WriteBatch.Builder<JobItem> batch = WriteBatch.builder(JobItem.class).mappedTableResource(table);
        for (JobRecord record : sent) {
            JobItem item = toItem(record);
            item.setState(JobState.QUEUED.name());
            item.setRecordedAt(now);
            item.setUpdatedAt(now);
            item.setExpiresAt(expires);
            batch.addPutItem(item);
        }
        BatchWriteItemEnhancedRequest request = BatchWriteItemEnhancedRequest.builder().writeBatches(batch.build())
                .build();
        for (int attempt = 1; ; attempt++) {
            List<JobItem> left = dynamo.batchWriteItem(request).unprocessedPutItemsForTable(table);
            if (left.isEmpty()) {
                return java.util.Collections.nCopies(sent.size(), Boolean.TRUE);
            }
            if (attempt == BATCH_ATTEMPTS) {
                throw new IllegalStateException(table.tableName() + " left " + left.size() + " of " + sent.size()
                        + " QUEUED marks unwritten after " + attempt + " attempts (throttled?)");
            }
            WriteBatch.Builder<JobItem> again = WriteBatch.builder(JobItem.class).mappedTableResource(table);
            left.forEach(again::addPutItem);
            request = BatchWriteItemEnhancedRequest.builder().writeBatches(again.build()).build();
            try {
                Thread.sleep(50L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while marking jobs QUEUED", e);
            }
        }
    }

    /** The record of a node, if any (for the orchestrator and tests). */
    public Optional<JobRecord> find(String nodeId) {
        return Optional.ofNullable(table.getItem(GetItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(nodeId).build()).consistentRead(true).build()))
                .map(DynamoDbJobLedger::fromItem);
    }

    private static JobItem toItem(JobRecord record) {
        JobTicket t = record.ticket();
        JobItem item = new JobItem();
        item.setNodeId(t.nodeId());
        item.setState(record.state().name());
        item.setClaimMarker(t.claimMarker());
        item.setName(t.name());
        item.setRuntime(t.runtime());
        item.setPlatform(t.platform());
        item.setArch(t.arch());
        item.setJobDefinition(t.jobDefinition());
        item.setParent(t.parent());
        item.setEventId(t.eventId());
        item.setEventTimestamp(t.eventTimestamp());
        record.reason().ifPresent(item::setReason);
        return item;
    }

    private static JobRecord fromItem(JobItem item) {
        JobTicket ticket = new JobTicket(item.getNodeId(), item.getName(), item.getRuntime(), item.getPlatform(),
                item.getArch(), item.getJobDefinition(), item.getParent(), item.getClaimMarker(), item.getEventId(),
                item.getEventTimestamp());
        return new JobRecord(ticket, JobState.valueOf(item.getState()), Optional.ofNullable(item.getReason()));
    }
}
