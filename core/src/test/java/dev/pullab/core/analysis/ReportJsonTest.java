package dev.pullab.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReportJsonTest {

    private static final ObjectMapper STRICT = new ObjectMapper(); // rejects NaN and Infinity tokens

    @Test
    @DisplayName("the report carries the binding field names of the issue's JSON shape")
    void givenReport_whenWritten_thenBindingFields() throws Exception {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("ub", "Process_Creation", true, new double[] {10, 11, 12, 13}, new double[] {5, 6, 5, 6})
                .build());

        JsonNode json = STRICT.readTree(ReportJson.write(report));

        assertThat(json.get("tests_with_regression").asInt()).isEqualTo(1);
        assertThat(json.get("regression_test_names").get(0).asText()).isEqualTo("ub");
        JsonNode test = json.get("tests").get(0);
        assertThat(test.fieldNames()).toIterable().contains("test", "base_kernel", "tip_kernel", "metrics_compared",
                "has_regression", "comparisons");
        JsonNode c = test.get("comparisons").get(0);
        assertThat(c.fieldNames()).toIterable().contains("metric", "unit", "more_is_better", "base", "tip",
                "pct_change", "t_statistic", "t_pvalue", "u_statistic", "u_pvalue", "t_pvalue_adjusted",
                "u_pvalue_adjusted", "cohens_d", "is_regression");
        assertThat(c.get("base").fieldNames()).toIterable().containsExactly("n", "mean", "median", "stddev", "cv");
        assertThat(c.get("is_regression").asBoolean()).isTrue();
        assertThat(json.get("options").get("correction").asText()).isEqualTo("holm");
    }

    @Test
    @DisplayName("infinite values are written as null: the JSON stays parseable by strict parsers")
    void givenInfiniteStatistics_whenWritten_thenNull() throws Exception {
        AnalysisReport report = new RegressionAnalyzer(AnalysisOptions.defaults()).analyze(new RunBuilder()
                .metric("t", "m", true, new double[] {0, 0, 0}, new double[] {3, 3, 3}).build());

        String text = ReportJson.write(report);
        JsonNode c = STRICT.readTree(text).get("tests").get(0).get("comparisons").get(0);

        assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(c.get("t_statistic").isNull()).isTrue();
        assertThat(c.get("cohens_d").isNull()).isTrue();
        assertThat(c.get("pct_change").isNull()).isTrue();
        assertThat(c.get("t_pvalue").asDouble()).isZero();
    }
}
