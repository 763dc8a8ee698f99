package dev.pullab.orchestrator.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The launch intents table (key {@code launch_id} = {@code <run prefix>#<vm index>}): a conditional put before a VM
 * is launched, completed with the instance id after. AWS deduplicates {@code RunInstances} by client token, but
 * emulators do not, and a crash can fall between the launch and its record: the intent is what makes a duplicate
 * message or a re-run never launch twice.
 *
 * <p>An intent is leased to the attempt that wrote it for {@link #LEASE}; a concurrent attempt finds it busy and
 * retries later. After the lease (the attempt died) the next attempt takes it over, first adopting any VM already
 * started for it (found by tag), else launching with the same client token.
 */
public final class LaunchIntents {

    /** Longer than any launch call takes; short enough for a crashed attempt's VM to be retried soon. */
    public static final Duration LEASE = Duration.ofMinutes(5);

    private final DynamoDbClient dynamo;
    private final String table;

    public LaunchIntents(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** What the caller may do with a launch. */
    public sealed interface Claim {
        /** This caller must launch; {@code takenOver}: an earlier attempt may have started the VM already. */
        record Owned(boolean takenOver) implements Claim {
        }

        /** Launched already. */
        record Launched(String instanceId) implements Claim {
        }

        /** Another attempt is launching it right now. */
        record Busy() implements Claim {
        }
    }

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

    /** Completes an intent with what was launched. */
    public void launched(String launchId, String instanceId) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(key(launchId))
                .updateExpression("SET #state = :launched, instance_id = :instance")
                .expressionAttributeNames(Map.of("#state", "state"))
                .expressionAttributeValues(Map.of(":launched", AttributeValue.fromS("LAUNCHED"),
                        ":instance", AttributeValue.fromS(instanceId))));
    }

    private static Map<String, AttributeValue> key(String launchId) {
        return Map.of("launch_id", AttributeValue.fromS(launchId));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
