package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A well-formed notification; odd keys and bodies are the corpus of {@link S3NotificationCorpusIT}. */
class S3NotificationsTest {

    private static String event(String eventName, String key) {
        return "{\"Records\": [{\"eventVersion\": \"2.1\", \"eventSource\": \"aws:s3\", \"eventName\": \"" + eventName
                + "\", \"s3\": {\"bucket\": {\"name\": \"results\"}, \"object\": {\"key\": \"" + key + "\"}}}]}";
    }

    @Test
    @DisplayName("a result.txt of the run layout is one finished VM")
    void givenResultTxt_whenRead_thenFinishedVm() {
        assertThat(S3Notifications.finishedVms(event("ObjectCreated:Put",
                "run_x_20260520_101530/test_kernelci-boot/output/i-0abc/result.txt")))
                .containsExactly(new VmFinished("results", "run_x_20260520_101530", "kernelci-boot", "i-0abc",
                        java.util.Optional.empty()));
    }
}
