package dev.pullab.cli.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts one run the way a BuildComplete event does: the same event, handed to the same trigger handler. On a deployed
 * lab, a synchronous invocation of its trigger function; on a local lab ({@code pullab local-run --serve}), a message on
 * the trigger queue its loop reads, whose answer the lab writes to {@link #answerKey} in the storage bucket.
 */
public sealed interface RunTrigger permits RunTrigger.Function, RunTrigger.LocalQueue {

    /** A run's id (its prefix): what the orchestrator makes of a test id, a few safe characters. */
    Pattern RUN_PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    /** An event id, as this command makes them (a UUID) and as the local lab accepts them. */
    Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** The trigger's answer is a small JSON object; anything bigger is not one. */
    int MAX_ANSWER_BYTES = 256 * 1024;

    /**
     * The run the trigger started.
     *
     * @param runPrefix its id and prefix in the results bucket
     * @param testId    its test id
     * @param instances the VMs launched (or being launched) for it
     * @param warnings  the config's keys the lab ignored
     */
    record Started(String runPrefix, String testId, List<String> instances, List<String> warnings) {
        public Started {
            instances = List.copyOf(instances);
            warnings = List.copyOf(warnings);
        }
    }

    /** Hands {@code event} to the trigger handler and returns the run it started. */
    Started start(Map<String, Object> event);

    /** The custom BuildComplete event, as the kernel build posts it to EventBridge. */
    static Map<String, Object> buildComplete(String eventId, String configUri, String region, Instant now) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", eventId);
        event.put("source", "pullab.cli");
        event.put("detail-type", "BuildComplete");
        event.put("time", now.toString());
        event.put("detail", Map.of("config_s3_uri", configUri, "region", region));
        return event;
    }

    /** Where a local lab writes the trigger handler's answer to event {@code eventId}, in its storage bucket. */
    static String answerKey(String eventId) {
        return "triggers/answers/" + eventId + ".json";
    }

    /**
     * Reads the trigger handler's answer (from a function or a local lab: untrusted text): a run prefix of a few safe
     * characters, or the handler's error.
     *
     * @throws IllegalStateException naming what the trigger said when it started no run
     */
    static Started answer(String source, byte[] body) {
        if (body.length > MAX_ANSWER_BYTES) {
            throw new IllegalStateException(source + " answered " + body.length + " bytes: not a trigger answer");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(source + " answered something that is not JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw new IllegalStateException(source + " answered something that is not a JSON object");
        }
        if (json.hasNonNull("errorMessage") || json.hasNonNull("error")) {
            String message = json.hasNonNull("errorMessage") ? json.get("errorMessage").asText()
                    : json.get("error").asText();
            throw new IllegalStateException(source + " refused the run: " + shorten(message));
        }
        String prefix = json.path("run_prefix").asText("");
        if (!RUN_PREFIX.matcher(prefix).matches()) {
            throw new IllegalStateException(source + " answered without a valid run_prefix: " + shorten(
                    json.toString()));
        }
        return new Started(prefix, shorten(json.path("test_id").asText("")), texts(json.path("instances")),
                texts(json.path("warnings")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        for (JsonNode item : array) {
            if (texts.size() == 100) {
                break;
            }
            texts.add(shorten(item.asText()));
        }
        return texts;
    }

    private static String shorten(String text) {
        String line = text.replaceAll("\\p{Cntrl}", " ");
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }

    /** The deployed lab's trigger function, invoked synchronously (RequestResponse) with the event. */
    record Function(LambdaClient lambda, String functionName) implements RunTrigger {

        @Override
        public Started start(Map<String, Object> event) {
            byte[] payload;
            try {
                payload = new ObjectMapper().writeValueAsBytes(event);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the BuildComplete event: " + e.getMessage(), e);
            }
            InvokeResponse response = lambda.invoke(b -> b.functionName(functionName)
                    .invocationType(InvocationType.REQUEST_RESPONSE).payload(SdkBytes.fromByteArray(payload)));
            return answer("trigger function " + functionName, response.payload() == null ? new byte[0]
                    : response.payload().asByteArray());
        }
    }

    /**
     * A local lab's trigger queue: the event is sent there, the lab's loop hands it to the trigger handler and writes
     * the answer to {@link #answerKey} in the storage bucket, which is waited for (at most {@code answerWait}).
     */
    record LocalQueue(SqsClient sqs, String queueUrl, S3Client s3, String storageBucket, Duration answerWait,
            Consumer<String> progress) implements RunTrigger {

        @Override
        public Started start(Map<String, Object> event) {
            String id = String.valueOf(event.get("id"));
            String body;
            try {
                body = new ObjectMapper().writeValueAsString(event);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the BuildComplete event: " + e.getMessage(), e);
            }
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
            progress.accept("BuildComplete event " + id + " sent to the local lab's trigger queue");
            String key = answerKey(id);
            Instant until = Instant.now().plus(answerWait);
            while (Instant.now().isBefore(until)) {
                boolean answered = s3.listObjectsV2(b -> b.bucket(storageBucket).prefix(key).maxKeys(1)).contents()
                        .stream().anyMatch(o -> o.key().equals(key));
                if (answered) {
                    return answer("the local lab's trigger", s3.getObjectAsBytes(b -> b.bucket(storageBucket)
                            .key(key)).asByteArray());
                }
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new IllegalStateException("the local lab did not take BuildComplete event " + id + " within "
                    + answerWait.toSeconds() + " s: is `pullab local-run --serve` still running? (the event stays"
                    + " in its trigger queue)");
        }
    }
}
