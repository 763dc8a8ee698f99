package dev.pullab.orchestrator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.pullab.core.store.ObjectStore;
import dev.pullab.core.store.S3Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Lambda entry point for EventBridge: the custom {@code BuildComplete} event and the daily schedule, both carrying
 * pullab_cloud's payload {@code {"config_s3_uri": "s3://…/config.json", "region": "…"}}, read from the top level
 * (a rule's constant input) or from {@code detail} (a custom event). The config is pullab_cloud's config.json; the
 * run's test id gets a suffix unique per event (stable across redeliveries of the same event id). The payload's
 * {@code region} must be the lab's own (a run elsewhere is refused, naming both); the config's unused keys come back
 * as {@code warnings}.
 */
public final class TriggerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    static {
        // LOG_LEVEL (ERROR, WARN, INFO, DEBUG), before the first logger is made
        dev.pullab.core.config.LogLevel.configureFunction();
    }

    private final Supplier<Orchestrator> orchestrator;
    private final Supplier<ObjectStore> objects;

    /** Used by Lambda: built once per execution environment (again after a SnapStart restore). */
    public TriggerHandler() {
        this.orchestrator = Environment.orchestrator();
        this.objects = Environment.objects();
    }

    /** For in-process runs (pullab local-run) and tests. */
    public TriggerHandler(Orchestrator orchestrator, ObjectStore objects) {
        this.orchestrator = () -> orchestrator;
        this.objects = () -> objects;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> payload = payload(event);
        Object uri = payload.get("config_s3_uri");
        if (!(uri instanceof String text) || !text.startsWith("s3://")) {
            throw new IllegalArgumentException("event has no config_s3_uri (expected {\"config_s3_uri\": "
                    + "\"s3://bucket/key.json\", \"region\": \"…\"} at the top level or in detail): " + event);
        }
        S3Location location = S3Location.parse(text);
        byte[] config;
        try {
            config = objects.get().config(location);
        } catch (ObjectStore.NotFoundException e) {
            throw new IllegalArgumentException("config " + text + ": no such object (upload the pipeline config"
                    + " there, or fix the event's config_s3_uri)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("config " + text + ": cannot read it: " + e.getMessage(), e);
        }
        String invocation = event.get("id") instanceof String id ? id
                : context != null ? context.getAwsRequestId() : UUID.randomUUID().toString();
        Orchestrator.Outcome outcome;
        try {
            outcome = orchestrator.get().runConfig(config, invocation, time(event), region(payload));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config " + text + ": " + e.getMessage(), e);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", "launched");
        result.put("invocation_id", invocation);
        result.put("test_id", outcome.plan().orElseThrow().testId());
        result.put("run_prefix", outcome.plan().orElseThrow().runPrefix());
        result.put("instances", outcome.instances());
        result.put("warnings", outcome.warnings());
        return result;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> payload(Map<String, Object> event) {
        if (event.containsKey("config_s3_uri")) {
            return event;
        }
        Object detail = event.get("detail");
        return detail instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** The payload's {@code region}; a value that is not text is refused (it would otherwise be ignored). */
    private static Optional<String> region(Map<String, Object> payload) {
        Object region = payload.get("region");
        if (region == null) {
            return Optional.empty();
        }
        if (!(region instanceof String text)) {
            throw new IllegalArgumentException("event region must be a region name such as \"eu-west-2\", got "
                    + region);
        }
        return Optional.of(text);
    }

    private static Instant time(Map<String, Object> event) {
        if (event.get("time") instanceof String time) {
            try {
                return Instant.parse(time);
            } catch (DateTimeParseException e) {
                return Instant.now();
            }
        }
        return Instant.now();
    }
}
