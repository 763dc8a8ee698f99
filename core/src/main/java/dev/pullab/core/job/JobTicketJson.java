package dev.pullab.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The jobs-queue message body: a {@link JobTicket} as snake_case JSON. */
public final class JobTicketJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JobTicketJson() {
    }

    public static String write(JobTicket ticket) {
        try {
            return MAPPER.writeValueAsString(ticket);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + ticket, e);
        }
    }

    /**
     * @throws IllegalArgumentException naming the problem when the body is not a ticket
     */
    public static JobTicket read(String body) {
        try {
            return MAPPER.readValue(body, JobTicket.class);
        } catch (JsonProcessingException | NullPointerException e) {
            throw new IllegalArgumentException("not a job ticket: " + e.getMessage(), e);
        }
    }
}
