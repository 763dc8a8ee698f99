package dev.pullab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("pullab upload-tests: usage, before any AWS call")
class UploadTestsCommandTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("pullab lists upload-tests among its commands")
    void givenPullabHelp_whenPrinted_thenUploadTestsIsListed() {
        CliRun run = CliRun.of("--help");

        assertThat(run.out()).contains("upload-tests");
    }

    @Test
    @DisplayName("--help names every option, the exit statuses and gives examples")
    void givenHelp_whenPrinted_thenOptionsExitStatusesAndExamples() {
        CliRun run = CliRun.of("upload-tests", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--test-dir=DIR", "--bucket=BUCKET", "--test=NAME", "--dry-run",
                "PULLAB_STORAGE_BUCKET", "Exit status:", "Examples:",
                "pullab upload-tests --bucket kernel-ci-$USER-storage", "s3://<storage bucket>/tests/<name>/");
    }

    @Test
    @DisplayName("a --test-dir that is not a directory is bad usage, exit 2, naming it")
    void givenMissingTestDir_whenRun_thenUsageErrorNamingIt() {
        Path missing = dir.resolve("no-such-dir");

        CliRun run = CliRun.of("upload-tests", "--test-dir", missing.toString(), "--bucket", "lab-storage");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: " + missing + " is not a directory");
    }

    @Test
    @DisplayName("an s3:// URI given as --bucket is bad usage, with the bucket name to use")
    void givenUriAsBucket_whenRun_thenUsageErrorWithTheName() {
        CliRun run = CliRun.of("upload-tests", "--test-dir", dir.toString(), "--bucket", "s3://lab-storage/tests");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: --bucket takes a bucket name, not a URI: use --bucket lab-storage");
    }
}
