package dev.pullab.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3LocationTest {

    @Test
    void givenBucketAndPrefix_whenParsing_thenBothAreSplitAndTheUriComesBack() {
        S3Location location = S3Location.parse("s3://results-bucket/run_20250101_abc");

        assertThat(location).isEqualTo(new S3Location("results-bucket", "run_20250101_abc"));
        assertThat(location).hasToString("s3://results-bucket/run_20250101_abc");
    }

    @Test
    void givenNestedPrefixWithTrailingSlash_whenParsing_thenTheSlashIsDropped() {
        S3Location location = S3Location.parse("s3://results/team/run_x/");

        assertThat(location.prefix()).isEqualTo("team/run_x");
        assertThat(location).hasToString("s3://results/team/run_x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://results", "s3://results/", "s3://results//"})
    void givenBucketOnly_whenParsing_thenThePrefixIsEmpty(String uri) {
        S3Location location = S3Location.parse(uri);

        assertThat(location.prefix()).isEmpty();
        assertThat(location).hasToString("s3://results");
    }

    @ParameterizedTest
    @ValueSource(strings = {"results/run_x", "https://results/run_x", "s3:/results/run_x", "", "s3://", "s3:///run_x"})
    void givenNoS3UriWithBucket_whenParsing_thenIllegalArgumentNamesTheInput(String uri) {
        assertThatThrownBy(() -> S3Location.parse(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + uri + "'")
                .hasMessageContaining("s3://bucket/run_prefix");
    }

    @Test
    void givenInvalidBucketName_whenParsing_thenIllegalArgumentNamesTheBucket() {
        assertThatThrownBy(() -> S3Location.parse("s3://bad bucket/run_x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid S3 bucket name 'bad bucket'");
    }

    @Test
    void givenPrefixWithSurroundingSlashes_whenConstructing_thenItIsNormalised() {
        assertThat(new S3Location("results", "/run_x/").prefix()).isEqualTo("run_x");
    }

    @Test
    void givenRunPrefix_whenAskingForAKey_thenItIsUnderThePrefix() {
        S3Location run = new S3Location("results", "run_x");

        assertThat(run.key("analysis/report.json")).isEqualTo("run_x/analysis/report.json");
        assertThat(run.keyPrefix()).isEqualTo("run_x/");
        assertThat(run.uriOf(run.key("analysis/report.json"))).isEqualTo("s3://results/run_x/analysis/report.json");
    }

    @Test
    void givenRootRun_whenAskingForAKey_thenItHasNoLeadingSlash() {
        S3Location run = new S3Location("results", "");

        assertThat(run.key("analysis/report.json")).isEqualTo("analysis/report.json");
        assertThat(run.keyPrefix()).isEmpty();
    }
}
