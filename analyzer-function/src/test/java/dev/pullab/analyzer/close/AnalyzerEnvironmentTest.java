package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.analysis.AnalysisOptions;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.kcidb.KcidbSettings;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sweeper's console scrubber knows the lab's own secrets. */
class AnalyzerEnvironmentTest {

    @Test
    @DisplayName("the consoles the sweeper keeps are scrubbed of the lab's KernelCI token and KCIDB JWT")
    void givenLabSecrets_whenScrubberBuilt_thenBothRedacted() {
        AnalyzerSettings settings = new AnalyzerSettings("eu-west-1", "runs", Optional.of("results"),
                Optional.of(new KcidbSettings(URI.create("https://kcidb.example.org/submit"), "kcidb-jwt-value-0123",
                        "pullab")),
                Optional.of(new KernelCiAccess(URI.create("https://api.kernelci.example.org"),
                        Optional.of("kernelci-token-value-0123"))),
                AnalysisOptions.defaults());

        String scrubbed = AnalyzerEnvironment.scrubber(settings)
                .scrub("jwt kcidb-jwt-value-0123 token kernelci-token-value-0123\n").text();

        assertThat(scrubbed).doesNotContain("kcidb-jwt-value-0123").doesNotContain("kernelci-token-value-0123")
                .contains("[REDACTED:kcidb_jwt]").contains("[REDACTED:kernelci_token]");
    }
}
