package dev.pullab.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PublishedLogs: the public link of a published log")
class PublishedLogsTest {

    @Test
    @DisplayName("the link is the base, a slash and the raw key")
    void linkIsBasePlusRawKey() {
        assertThat(PublishedLogs.url(URI.create("https://logs.example.org/"),
                "run_1/test_boot/output/i-1/run-1-output.log"))
                .isEqualTo(URI.create("https://logs.example.org/run_1/test_boot/output/i-1/run-1-output.log"));
    }

    @Test
    @DisplayName("each segment of the key is URL-encoded, the slashes kept")
    void segmentsEncoded() {
        assertThat(PublishedLogs.url(URI.create("https://logs.example.org/lab"), "run 1/test_a+b/x#y.log"))
                .hasToString("https://logs.example.org/lab/run%201/test_a%2Bb/x%23y.log");
    }
}
