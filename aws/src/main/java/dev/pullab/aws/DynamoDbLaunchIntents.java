package dev.pullab.aws;

import dev.pullab.core.launch.LaunchIntents;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** {@link LaunchIntents} in a DynamoDB table: conditional puts and updates, read back consistently. */
public final class DynamoDbLaunchIntents implements LaunchIntents {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbLaunchIntents(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Claim claim(String launchId, Instant now, long expiresAt) {
        long leasedUntil = now.plus(LEASE).getEpochSecond();
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("launch_id", AttributeValue.fromS(launchId),
                            "state", AttributeValue.fromS("PENDING"),
                            "leased_until", number(leasedUntil),
                            "expires_at", number(expiresAt)))
                    .conditionExpression("attribute_not_exists(launch_id)"));
            return new Claim.Owned(false);
        } catch (ConditionalCheckFailedException absentNoMore) {
            Map<String, AttributeValue> stored = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(key(launchId))).item();
            if ("LAUNCHED".equals(stored.get("state").s())) {
                return new Claim.Launched(stored.get("instance_id").s());
            }
            AttributeValue lease = stored.get("leased_until");
            if (Long.parseLong(lease.n()) > now.getEpochSecond()) {
                return new Claim.Busy();
            }
            try {
                dynamo.updateItem(b -> b.tableName(table).key(key(launchId))
                        .updateExpression("SET leased_until = :new")
                        .conditionExpression("#state = :pending AND leased_until = :old")
                        .expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":new", number(leasedUntil), ":old", lease,
                                ":pending", AttributeValue.fromS("PENDING"))));
                return new Claim.Owned(true);
            } catch (ConditionalCheckFailedException takenByOther) {
                return new Claim.Busy();
            }
        }
    }

    @Override
    public void launched(String launchId, String instanceId) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(key(launchId))
                .updateExpression("SET #state = :launched, instance_id = :instance")
                .expressionAttributeNames(Map.of("#state", "state"))
                .expressionAttributeValues(Map.of(":launched", AttributeValue.fromS("LAUNCHED"),
                        ":instance", AttributeValue.fromS(instanceId))));
    }

    @Override
    public Listed list(int maxScanned) {
        java.util.List<Intent> intents = new java.util.ArrayList<>();
        Map<String, AttributeValue> start = null;
        boolean truncated = false;
        do {
            Map<String, AttributeValue> from = start;
            var page = dynamo.scan(b -> b.tableName(table).consistentRead(true)
                    .limit(Math.min(500, Math.max(1, maxScanned - intents.size()))).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                intents.add(intent(item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            if (start != null && intents.size() >= maxScanned) {
                truncated = true;
                start = null;
            }
        } while (start != null);
        return new Listed(intents, truncated);
    }

    private static Intent intent(Map<String, AttributeValue> item) {
        AttributeValue state = item.get("state");
        AttributeValue instance = item.get("instance_id");
        return new Intent(item.get("launch_id").s(), state != null && "LAUNCHED".equals(state.s()),
                java.util.Optional.ofNullable(instance).map(AttributeValue::s), numberOf(item.get("leased_until")),
                numberOf(item.get("expires_at")));
    }

    private static long numberOf(AttributeValue value) {
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    @Override
    public boolean delete(String launchId, long leasedUntil) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(launchId))
                    .conditionExpression("leased_until = :lease")
                    .expressionAttributeValues(Map.of(":lease", number(leasedUntil))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    private static Map<String, AttributeValue> key(String launchId) {
        return Map.of("launch_id", AttributeValue.fromS(launchId));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
