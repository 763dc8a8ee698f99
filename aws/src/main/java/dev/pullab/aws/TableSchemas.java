package dev.pullab.aws;

import software.amazon.awssdk.enhanced.dynamodb.EnhancedType;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * The tables' schemas, written out: the same attributes as the {@code @DynamoDbBean} annotations of the item classes
 * ({@code TableSchemasTest} holds them equal), without {@code TableSchema.fromBean}'s bean introspection and generated
 * accessors, which cost a cold start some 50 ms for the first table and 10 ms for each further one.
 */
final class TableSchemas {

    private TableSchemas() {
    }

    /** The cursor table's schema (built on first use: each function uses only some of the tables). */
    static TableSchema<CursorItem> cursor() {
        return Cursor.SCHEMA;
    }

    /** The jobs table's schema. */
    static TableSchema<JobItem> job() {
        return Job.SCHEMA;
    }

    /** The runs table's schema. */
    static TableSchema<RunItem> run() {
        return Run.SCHEMA;
    }

    private static final class Cursor {
        static final TableSchema<CursorItem> SCHEMA = StaticTableSchema.builder(CursorItem.class)
                .newItemSupplier(CursorItem::new)
                .addAttribute(String.class, a -> a.name("runtime").getter(CursorItem::getRuntime)
                        .setter(CursorItem::setRuntime).tags(StaticAttributeTags.primaryPartitionKey()))
                .addAttribute(String.class, a -> a.name("from").getter(CursorItem::getFrom).setter(CursorItem::setFrom))
                .addAttribute(Long.class, a -> a.name("position").getter(CursorItem::getPosition)
                        .setter(CursorItem::setPosition))
                .addAttribute(EnhancedType.listOf(String.class), a -> a.name("seen").getter(CursorItem::getSeen)
                        .setter(CursorItem::setSeen))
                .addAttribute(String.class, a -> a.name("updated_at").getter(CursorItem::getUpdatedAt)
                        .setter(CursorItem::setUpdatedAt))
                .build();
    }

    private static final class Job {
        static final TableSchema<JobItem> SCHEMA = StaticTableSchema.builder(JobItem.class)
                .newItemSupplier(JobItem::new)
                .addAttribute(String.class, a -> a.name("node_id").getter(JobItem::getNodeId)
                        .setter(JobItem::setNodeId).tags(StaticAttributeTags.primaryPartitionKey()))
                .addAttribute(String.class, a -> a.name("state").getter(JobItem::getState).setter(JobItem::setState))
                .addAttribute(String.class, a -> a.name("claim_marker").getter(JobItem::getClaimMarker)
                        .setter(JobItem::setClaimMarker))
                .addAttribute(String.class, a -> a.name("name").getter(JobItem::getName).setter(JobItem::setName))
                .addAttribute(String.class, a -> a.name("runtime").getter(JobItem::getRuntime)
                        .setter(JobItem::setRuntime))
                .addAttribute(String.class, a -> a.name("platform").getter(JobItem::getPlatform)
                        .setter(JobItem::setPlatform))
                .addAttribute(String.class, a -> a.name("arch").getter(JobItem::getArch).setter(JobItem::setArch))
                .addAttribute(String.class, a -> a.name("job_definition").getter(JobItem::getJobDefinition)
                        .setter(JobItem::setJobDefinition))
                .addAttribute(String.class, a -> a.name("parent").getter(JobItem::getParent).setter(JobItem::setParent))
                .addAttribute(String.class, a -> a.name("event_id").getter(JobItem::getEventId)
                        .setter(JobItem::setEventId))
                .addAttribute(String.class, a -> a.name("event_timestamp").getter(JobItem::getEventTimestamp)
                        .setter(JobItem::setEventTimestamp))
                .addAttribute(String.class, a -> a.name("reason").getter(JobItem::getReason).setter(JobItem::setReason))
                .addAttribute(String.class, a -> a.name("recorded_at").getter(JobItem::getRecordedAt)
                        .setter(JobItem::setRecordedAt))
                .addAttribute(String.class, a -> a.name("updated_at").getter(JobItem::getUpdatedAt)
                        .setter(JobItem::setUpdatedAt))
                .addAttribute(Long.class, a -> a.name("expires_at").getter(JobItem::getExpiresAt)
                        .setter(JobItem::setExpiresAt))
                .build();
    }

    private static final class Run {
        static final TableSchema<RunItem> SCHEMA = StaticTableSchema.builder(RunItem.class)
                .newItemSupplier(RunItem::new)
                .addAttribute(String.class, a -> a.name("run_id").getter(RunItem::getRunId)
                        .setter(RunItem::setRunId).tags(StaticAttributeTags.primaryPartitionKey()))
                .addAttribute(String.class, a -> a.name("test_id").getter(RunItem::getTestId)
                        .setter(RunItem::setTestId))
                .addAttribute(String.class, a -> a.name("job_node_id").getter(RunItem::getJobNodeId)
                        .setter(RunItem::setJobNodeId))
                .addAttribute(String.class, a -> a.name("executor").getter(RunItem::getExecutor)
                        .setter(RunItem::setExecutor))
                .addAttribute(EnhancedType.listOf(String.class), a -> a.name("tests").getter(RunItem::getTests)
                        .setter(RunItem::setTests))
                .addAttribute(EnhancedType.listOf(String.class), a -> a.name("kernels").getter(RunItem::getKernels)
                        .setter(RunItem::setKernels))
                .addAttribute(Integer.class, a -> a.name("expected_vms").getter(RunItem::getExpectedVms)
                        .setter(RunItem::setExpectedVms))
                .addAttribute(EnhancedType.listOf(String.class), a -> a.name("instance_ids")
                        .getter(RunItem::getInstanceIds).setter(RunItem::setInstanceIds))
                .addAttribute(String.class, a -> a.name("state").getter(RunItem::getState).setter(RunItem::setState))
                .addAttribute(Long.class, a -> a.name("created_at").getter(RunItem::getCreatedAt)
                        .setter(RunItem::setCreatedAt))
                .addAttribute(Long.class, a -> a.name("deadline").getter(RunItem::getDeadline)
                        .setter(RunItem::setDeadline))
                .addAttribute(EnhancedType.setOf(String.class), a -> a.name("reported").getter(RunItem::getReported)
                        .setter(RunItem::setReported))
                .addAttribute(Long.class, a -> a.name("lease_until").getter(RunItem::getLeaseUntil)
                        .setter(RunItem::setLeaseUntil))
                .addAttribute(String.class, a -> a.name("kcidb_submission_id").getter(RunItem::getKcidbSubmissionId)
                        .setter(RunItem::setKcidbSubmissionId))
                .addAttribute(String.class, a -> a.name("node_finish").getter(RunItem::getNodeFinish)
                        .setter(RunItem::setNodeFinish))
                .addAttribute(String.class, a -> a.name("verdict").getter(RunItem::getVerdict)
                        .setter(RunItem::setVerdict))
                .addAttribute(Long.class, a -> a.name("expires_at").getter(RunItem::getExpiresAt)
                        .setter(RunItem::setExpiresAt))
                .build();
    }
}
