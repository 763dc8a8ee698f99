package dev.pullab.analyzer.close;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.pullab.core.run.Uploader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the S3 event notifications that reach the results queue: {@code {"Records": [{"eventName":
 * "ObjectCreated:Put", "s3": {"bucket": {"name": …}, "object": {"key": …}}}]}}. The {@code s3:TestEvent} S3 sends
 * when notifications are configured is skipped; keys are URL-decoded ({@code +} is a space); objects that are not a
 * {@code result.txt} are ignored. The writer S3 names ({@code userIdentity.principalId}) goes with each VM, for the
 * identity check of {@link RunCloser}. A record whose key is not URL-encoded (a stray {@code %}) is ignored with a warning:
 * retrying the message could not decode it, and failing it would hold back the other records it carries.
 */
public final class S3Notifications {

    private static final Logger LOG = LoggerFactory.getLogger(S3Notifications.class);
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
            String encoded = record.at("/s3/object/key").asText();
            String key;
            try {
                key = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring the S3 record of key '{}' in bucket {}: the key is not URL-encoded ({})",
                        abbreviate(encoded), bucket, e.getMessage());
                continue;
            }
            String principal = record.at("/userIdentity/principalId").asText("");
            VmFinished.fromKey(bucket, key, principal.isEmpty() ? Optional.empty() : Optional.of(new Uploader(principal)))
                    .ifPresent(finished::add);
        }
        return finished;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
