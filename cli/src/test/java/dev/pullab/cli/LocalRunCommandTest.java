package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.cli.local.LocalLab;
import dev.pullab.core.config.KernelCiAccess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pullab local-run: job code from a real API runs only when asked (--allow-job-code)")
class LocalRunCommandTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("given --api without --allow-job-code, when run, then usage error naming the option, nothing started")
    void givenApiWithoutConsent_whenRun_thenRefusedNamingTheOption() {
        Path work = dir.resolve("lab");

        CliRun run = CliRun.of("local-run", "--api", "http://127.0.0.1:9/", "--work-dir", work.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--api http://127.0.0.1:9/ takes real KernelCI jobs")
                .contains("Pass --allow-job-code to accept that, e.g. pullab local-run --api http://127.0.0.1:9/ "
                        + "--allow-job-code")
                .contains("nothing was claimed");
        assertThat(work).doesNotExist();
    }

    @Test
    @DisplayName("--help documents --allow-job-code with an example")
    void helpDocumentsTheOption() {
        CliRun run = CliRun.of("local-run", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--allow-job-code")
                .contains("pullab local-run --api https://kernelci-api.example.org --allow-job-code");
    }

    @Test
    @DisplayName("the consent is needed only with --api: the fixture jobs of the local double are the lab's own")
    void consentOnlyForApiJobs() {
        KernelCiAccess api = new KernelCiAccess(URI.create("https://kernelci-api.example.org"), Optional.of("t"));

        assertThat(LocalLab.Options.local("rt", dir, false, Duration.ofSeconds(1)).refusal()).isEmpty();
        assertThat(new LocalLab.Options("rt", dir, false, Duration.ofSeconds(1), Optional.of(api), Optional.empty(),
                3).refusal()).hasValueSatisfying(why -> assertThat(why).contains("--allow-job-code"));
        assertThat(new LocalLab.Options("rt", dir, false, Duration.ofSeconds(1), Optional.of(api), Optional.empty(),
                3, true).refusal()).isEmpty();
    }
}
