package dev.pullab.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.testkit.AwsEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Runs the handler against the emulator on a small run: 2 tests × 3 instances, where {@code unixbench}'s Dhrystone
 * drops from about 1000 to about 700 lps on the tip kernel and everything else stays put.
 */
class AnalyzeRunHandlerIT {

    private static final String RUN = "run_20250101_it";
    private static final String[] INSTANCES = {"i-001", "i-002", "i-003"};
    private static final String HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static S3Client s3;
    private static String bucket;
    private static Map<String, Object> result;

    @BeforeAll
    static void analyseRun() {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        bucket = emulator.createBucket("pullab-analyzer-it");
        double[] dhrystoneBase = {1000, 1005, 995};
        double[] dhrystoneTip = {700, 705, 695};
        double[] whetstoneBase = {200, 202, 198};
        double[] whetstoneTip = {201, 199, 203};
        double[] copyBase = {500, 503, 497};
        double[] copyTip = {501, 498, 502};
        for (int i = 0; i < INSTANCES.length; i++) {
            String id = INSTANCES[i];
            put(RUN + "/test_unixbench/output/" + id + "/benchmark-base.csv", HEADER
                    + row("Dhrystone", "lps", dhrystoneBase[i], "6.1.0-base", id)
                    + row("Whetstone", "MWIPS", whetstoneBase[i], "6.1.0-base", id));
            put(RUN + "/test_unixbench/output/" + id + "/benchmark-tip.csv", HEADER
                    + row("Dhrystone", "lps", dhrystoneTip[i], "6.2.0-tip", id)
                    + row("Whetstone", "MWIPS", whetstoneTip[i], "6.2.0-tip", id));
            put(RUN + "/test_stream/output/" + id + "/benchmark-base.csv", HEADER
                    + row("Copy", "MB/s", copyBase[i], "6.1.0-base", id));
            put(RUN + "/test_stream/output/" + id + "/benchmark-tip.csv", HEADER
                    + row("Copy", "MB/s", copyTip[i], "6.2.0-tip", id));
        }
        put(RUN + "/result.txt", "PASS\n");
        result = new AnalyzeRunHandler(s3).handleRequest(Map.of("bucket", bucket, "run_prefix", RUN), null);
    }

    @Test
    void givenRunWithOneRegressedTest_whenHandled_thenTheResultSummarisesIt() {
        assertThat(result)
                .containsEntry("report", "s3://" + bucket + "/" + RUN + "/analysis/report.json")
                .containsEntry("tests", 2)
                .containsEntry("tests_with_regression", 1)
                .containsEntry("regression_test_names", List.of("unixbench"));
    }

    @Test
    void givenRunWithOneRegressedTest_whenHandled_thenReportJsonFlagsOnlyThatTest() throws IOException {
        JsonNode report = JSON.readTree(get(RUN + "/analysis/report.json").asByteArray());

        Map<String, Boolean> verdicts = new HashMap<>();
        report.get("tests").forEach(t -> verdicts.put(t.get("test").asText(), t.get("has_regression").asBoolean()));
        assertThat(verdicts).containsExactlyInAnyOrderEntriesOf(Map.of("unixbench", true, "stream", false));
        assertThat(report.get("regression_test_names")).extracting(JsonNode::asText).containsExactly("unixbench");
    }

    @Test
    void givenRun_whenHandled_thenReportTextHasTheBanner() {
        String text = get(RUN + "/analysis/report.txt").asUtf8String();

        assertThat(text).contains("BENCHMARK REGRESSION ANALYSIS").contains("Test: unixbench");
    }

    @Test
    void givenRun_whenHandled_thenPlotsAreStoredAsPngs() {
        List<S3Object> plots = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(RUN + "/analysis/plots/"))
                .contents().stream().toList();

        assertThat(plots).isNotEmpty().allSatisfy(plot -> {
            assertThat(plot.key()).endsWith(".png");
            ResponseBytes<GetObjectResponse> png = get(plot.key());
            assertThat(png.response().contentType()).isEqualTo("image/png");
            assertThat(Arrays.copyOf(png.asByteArray(), PNG_SIGNATURE.length)).isEqualTo(PNG_SIGNATURE);
        });
    }

    @Test
    void givenInputWithoutBucket_whenHandled_thenIllegalArgumentNamesTheField() {
        AnalyzeRunHandler handler = new AnalyzeRunHandler(s3);

        assertThatThrownBy(() -> handler.handleRequest(Map.of("run_prefix", RUN), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing \"bucket\"");
    }

    @Test
    void givenInputWithoutRunPrefix_whenHandled_thenIllegalArgumentNamesTheField() {
        AnalyzeRunHandler handler = new AnalyzeRunHandler(s3);

        assertThatThrownBy(() -> handler.handleRequest(Map.of("bucket", bucket), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing \"run_prefix\"");
    }

    @Test
    void givenUnknownCorrection_whenHandled_thenIllegalArgumentListsTheChoices() {
        AnalyzeRunHandler handler = new AnalyzeRunHandler(s3);
        Map<String, Object> input = Map.of("bucket", bucket, "run_prefix", RUN, "correction", "bonferroni");

        assertThatThrownBy(() -> handler.handleRequest(input, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holm, bh or none");
    }

    @Test
    void givenMalformedCsv_whenHandled_thenInvalidInputNamesTheFileAndLine() {
        String run = "run_bad_csv";
        put(run + "/test_unixbench/output/i-001/benchmark-base.csv", HEADER + row("Dhrystone", "lps", 1000, "b", "i"));
        put(run + "/test_unixbench/output/i-001/benchmark-tip.csv",
                HEADER + "Dhrystone,lps,fast,true,6.2.0,i-001,c6i.large,x86_64\n");
        AnalyzeRunHandler handler = new AnalyzeRunHandler(s3);

        assertThatThrownBy(() -> handler.handleRequest(Map.of("bucket", bucket, "run_prefix", run), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("s3://" + bucket + "/" + run + "/test_unixbench/output/i-001/benchmark-tip.csv:2")
                .hasMessageContaining("'fast'");
    }

    @Test
    void givenMissingRun_whenHandled_thenInvalidInputSaysNoSuchRun() {
        AnalyzeRunHandler handler = new AnalyzeRunHandler(s3);

        assertThatThrownBy(() -> handler.handleRequest(Map.of("bucket", bucket, "run_prefix", "run_missing"), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("s3://" + bucket + "/run_missing")
                .hasMessageContaining("no such run");
    }

    private static String row(String metric, String unit, double value, String kernel, String instance) {
        return metric + "," + unit + "," + value + ",true," + kernel + "," + instance + ",c6i.large,x86_64\n";
    }

    private static void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }

    private static ResponseBytes<GetObjectResponse> get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
    }
}
