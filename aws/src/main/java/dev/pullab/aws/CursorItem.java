package dev.pullab.aws;

import java.util.List;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbAttribute;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/** Item of the cursor table: one per runtime. Persistence shape only; the domain type is {@code poll.Cursor}. */
@DynamoDbBean
public class CursorItem {
    private String runtime;
    private String from;
    private Long position;
    private List<String> seen;
    private String updatedAt;

    @DynamoDbPartitionKey
    @DynamoDbAttribute("runtime")
    public String getRuntime() {
        return runtime;
    }

    public void setRuntime(String runtime) {
        this.runtime = runtime;
    }

    /** Verbatim event timestamp the next query starts after. */
    @DynamoDbAttribute("from")
    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    /** {@code from} as microseconds since the epoch: the never-backwards condition compares this. */
    @DynamoDbAttribute("position")
    public Long getPosition() {
        return position;
    }

    public void setPosition(Long position) {
        this.position = position;
    }

    @DynamoDbAttribute("seen")
    public List<String> getSeen() {
        return seen;
    }

    public void setSeen(List<String> seen) {
        this.seen = seen;
    }

    @DynamoDbAttribute("updated_at")
    public String getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(String updatedAt) {
        this.updatedAt = updatedAt;
    }
}
