package dev.pullab.analyzer.fanin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the S3 event notifications that reach the results queue: {@code {"Records": [{"eventName":
 * "ObjectCreated:Put", "s3": {"bucket": {"name": …}, "object": {"key": …}}}]}}. The {@code s3:TestEvent} S3 sends
 * when notifications are configured is skipped; keys are URL-decoded ({@code +} is a space); objects that are not a
 * {@code result.txt} are ignored.
 */
public final class S3Notifications {

    private static final ObjectMapper JSON = new ObjectMapper();

    private S3Notifications() {
    }

    /**
     * @throws IllegalArgumentException when the body is not an S3 notification (the message goes to the DLQ)
     */
    public static List<VmFinished> finishedVms(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an S3 event notification: " + e.getOriginalMessage(), e);
        }
        if ("s3:TestEvent".equals(root.path("Event").asText())) {
            return List.of();
        }
        JsonNode records = root.path("Records");
        if (!records.isArray()) {
            throw new IllegalArgumentException("not an S3 event notification (no Records): " + abbreviate(body));
        }
        List<VmFinished> finished = new ArrayList<>();
        for (JsonNode record : records) {
            if (!record.path("eventName").asText().startsWith("ObjectCreated")) {
                continue;
            }
            String bucket = record.at("/s3/bucket/name").asText();
            String key = URLDecoder.decode(record.at("/s3/object/key").asText(), StandardCharsets.UTF_8);
            VmFinished.fromKey(bucket, key).ifPresent(finished::add);
        }
        return finished;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
