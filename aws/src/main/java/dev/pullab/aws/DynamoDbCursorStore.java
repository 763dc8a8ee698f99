package dev.pullab.aws;

import dev.pullab.core.kernelci.EventTime;
import dev.pullab.core.poll.Cursor;
import dev.pullab.core.poll.CursorStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Optional;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.GetItemEnhancedRequest;
import software.amazon.awssdk.enhanced.dynamodb.model.PutItemEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The poll cursor in DynamoDB (not a file: Lambda's {@code /tmp} is gone at every cold start). */
public final class DynamoDbCursorStore implements CursorStore {

    static final TableSchema<CursorItem> SCHEMA = TableSchemas.cursor();

    private final DynamoDbTable<CursorItem> table;
    private final Clock clock;

    public DynamoDbCursorStore(DynamoDbEnhancedClient dynamo, String tableName, Clock clock) {
        this.table = dynamo.table(tableName, SCHEMA);
        this.clock = clock;
    }

    @Override
    public Cursor read(String runtime) {
        CursorItem item = table.getItem(GetItemEnhancedRequest.builder()
                .key(Key.builder().partitionValue(runtime).build()).consistentRead(true).build());
        if (item == null || item.getFrom() == null) {
            return Cursor.initial();
        }
        Optional<EventTime> from = EventTime.parse(item.getFrom());
        if (from.isEmpty()) {
            throw new IllegalStateException("cursor of " + runtime + " in " + table.tableName()
                    + " holds an unreadable timestamp '" + item.getFrom() + "'");
        }
        return new Cursor(from, item.getSeen() == null ? java.util.Set.of() : new HashSet<>(item.getSeen()));
    }

    @Override
    public boolean save(String runtime, Cursor cursor) {
        return put(runtime, cursor, "attribute_not_exists(#runtime) OR #position <= :position", cursor.position());
    }

    @Override
    public boolean rewind(String runtime, Cursor stored, Cursor to) {
        return put(runtime, to, "attribute_exists(#runtime) AND #position = :position", stored.position());
    }

    private boolean put(String runtime, Cursor cursor, String condition, long position) {
        CursorItem item = new CursorItem();
        item.setRuntime(runtime);
        item.setFrom(cursor.from().map(EventTime::text).orElse(null));
        item.setPosition(cursor.position());
        item.setSeen(new ArrayList<>(new java.util.TreeSet<>(cursor.seen())));
        item.setUpdatedAt(clock.instant().toString());
        Expression expected = Expression.builder()
                .expression(condition)
                .putExpressionName("#runtime", "runtime")
                .putExpressionName("#position", "position")
                .putExpressionValue(":position", AttributeValue.fromN(Long.toString(position)))
                .build();
        try {
            table.putItem(PutItemEnhancedRequest.builder(CursorItem.class).item(item).conditionExpression(expected)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
