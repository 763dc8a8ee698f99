package dev.pullab.analyzer.fanin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
                .containsExactly(new VmFinished("results", "run_x_20260520_101530", "kernelci-boot", "i-0abc"));
    }

    @Test
    @DisplayName("keys are URL-decoded as S3 encodes them")
    void givenEncodedKey_whenRead_thenDecoded() {
        assertThat(S3Notifications.finishedVms(event("ObjectCreated:Put",
                "run+a%3Ab/test_t/output/i-1/result.txt"))).singleElement()
                .satisfies(vm -> assertThat(vm.runPrefix()).isEqualTo("run a:b"));
    }

    @Test
    @DisplayName("other objects and other events are ignored")
    void givenOtherObjects_whenRead_thenNothing() {
        assertThat(S3Notifications.finishedVms(event("ObjectCreated:Put", "run/test_t/output/i-1/stats.json")))
                .isEmpty();
        assertThat(S3Notifications.finishedVms(event("ObjectRemoved:Delete", "run/test_t/output/i-1/result.txt")))
                .isEmpty();
    }

    @Test
    @DisplayName("the s3:TestEvent sent when notifications are configured is skipped")
    void givenTestEvent_whenRead_thenSkipped() {
        assertThat(S3Notifications.finishedVms("{\"Service\": \"Amazon S3\", \"Event\": \"s3:TestEvent\", "
                + "\"Bucket\": \"results\"}")).isEmpty();
    }

    @Test
    @DisplayName("a body that is not a notification is refused with the reason")
    void givenGarbage_whenRead_thenError() {
        assertThatThrownBy(() -> S3Notifications.finishedVms("hello")).hasMessageContaining("not an S3 event");
        assertThatThrownBy(() -> S3Notifications.finishedVms("{}")).hasMessageContaining("no Records");
    }
}
