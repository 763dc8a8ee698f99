package dev.pullab.core.kernelci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("a recursive pull-lab job event gives the event fields and the node's current state")
    void givenFixtureEvent_whenParsed_thenEventAndNode() throws Exception {
        JsonNode events;
        try (InputStream in = getClass().getResourceAsStream("/kernelci/events_pull_labs_job_recursive.json")) {
            events = JSON.readTree(in);
        }

        EventPage.Entry entry = EventParser.parse(events.get(0));

        Event event = entry.event().orElseThrow();
        assertThat(event.timestamp()).isEqualTo("2026-05-20T10:15:29.902000");
        assertThat(event.kind()).isEqualTo("job");
        assertThat(event.runtime()).contains("pull-labs-demo");
        assertThat(event.platform()).contains("qemu-x86_64");
        assertThat(event.node().orElseThrow().state()).isEqualTo("available");
        assertThat(event.node().orElseThrow().artifact("job_definition")).isPresent();
    }

    @Test
    @DisplayName("elements without id, timestamp or node id are malformed, with the reason")
    void malformed() throws Exception {
        assertThat(EventParser.parse(JSON.readTree("{\"timestamp\": \"2026-05-20T10:00:00\"}")).problem())
                .contains("no event id");
        assertThat(EventParser.parse(JSON.readTree("{\"id\": \"e1\", \"timestamp\": \"yesterday\"}")).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("no valid timestamp"));
        assertThat(EventParser.parse(JSON.readTree("{\"id\": \"e1\", \"timestamp\": \"2026-05-20T10:00:00\","
                + " \"data\": {}}")).problem()).contains("no node id in data.id");
        assertThat(EventParser.parse(JSON.readTree("[1, 2]")).problem()).isPresent();
    }

    @Test
    @DisplayName("a malformed element with a timestamp still carries it, so the cursor can pass it")
    void malformedKeepsTimestamp() throws Exception {
        EventPage.Entry entry = EventParser.parse(JSON.readTree(
                "{\"id\": \"e1\", \"timestamp\": \"2026-05-20T10:00:00.123000\", \"data\": 5}"));

        assertThat(entry.timestamp().map(EventTime::text)).contains("2026-05-20T10:00:00.123000");
        assertThat(entry.event()).isEmpty();
    }
}
