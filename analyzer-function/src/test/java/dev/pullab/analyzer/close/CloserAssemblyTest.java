package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.analysis.AnalysisOptions;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CloserAssembly: which link a published log gets")
class CloserAssemblyTest {

    private static final String RAW_KEY = "run_1/test_boot/output/i-0abc/run-1-output.log";
    private final AnalyzerSettings settings = new AnalyzerSettings("eu-west-1", "runs", Optional.of("results"),
            Optional.empty(), Optional.empty(), AnalysisOptions.defaults());

    @Test
    @DisplayName("with PULLAB_LOGS_URL the link is that base, a slash and the raw key")
    void underLogsUrl() {
        assertThat(CloserAssembly.logLinks(settings.withLogsUrl(URI.create("https://logs.example.org/")), "results")
                .apply(RAW_KEY)).isEqualTo(URI.create("https://logs.example.org/" + RAW_KEY));
    }

    @Test
    @DisplayName("without it the link is the S3 URL of the published copy under logs/, never of the raw log")
    void s3UrlOfPublishedCopy() {
        assertThat(CloserAssembly.logLinks(settings, "results").apply(RAW_KEY))
                .isEqualTo(URI.create("https://results.s3.eu-west-1.amazonaws.com/logs/" + RAW_KEY));
    }
}
