package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.pullab.core.benchmark.BenchmarkFile;
import dev.pullab.core.benchmark.DownloadProgress;
import dev.pullab.core.benchmark.InvalidInputException;
import dev.pullab.core.benchmark.KernelRole;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.core.benchmark.RunFile;
import dev.pullab.core.store.S3Location;
import dev.pullab.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3RunSourceIT {

    private static final String CSV = "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n"
            + "Dhrystone,lps,1000,true,6.1.0,%s,c6i.large,x86_64\n";

    /** key (relative to the run) → content; the benchmark files of two instances plus files to ignore. */
    private static final Map<String, String> RUN = new TreeMap<>(Map.of(
            "test_unixbench/output/i-aaa/benchmark-base.csv", CSV.formatted("i-aaa"),
            "test_unixbench/output/i-aaa/benchmark-tip.csv", CSV.formatted("i-aaa"),
            "test_unixbench/output/i-bbb/benchmark-base-2.csv", CSV.formatted("i-bbb"),
            "test_unixbench/output/i-bbb/benchmark-tip.csv", CSV.formatted("i-bbb"),
            "result.txt", "PASS\n",
            "test_unixbench/output/i-aaa/client-1.log", "log\n",
            "input/x_test_payload.zip", "PK",
            "test_unixbench/benchmark-base.csv", CSV.formatted("i-zzz")));

    private static S3Client s3;
    private static String bucket;

    @BeforeAll
    static void uploadRuns() {
        AwsEmulator emulator = AwsEmulator.get();
        s3 = emulator.s3();
        bucket = emulator.createBucket("pullab-s3runsource-it");
        RUN.forEach((path, content) -> put("run_a/" + path, content));
        put("run_a2/test_other/output/i-ccc/benchmark-base.csv", CSV.formatted("i-ccc"));
    }

    @Test
    void givenRunWithBenchmarkAndOtherFiles_whenFetching_thenExactlyTheBenchmarkFilesComeBack() {
        List<RunFile> files = source("run_a").benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).extracting(RunFile::file).extracting(
                        BenchmarkFile::test, BenchmarkFile::instanceId, BenchmarkFile::role, BenchmarkFile::location)
                .containsExactlyInAnyOrder(
                        tuple("unixbench", "i-aaa", KernelRole.BASE, outputUri("i-aaa/benchmark-base.csv")),
                        tuple("unixbench", "i-aaa", KernelRole.TIP, outputUri("i-aaa/benchmark-tip.csv")),
                        tuple("unixbench", "i-bbb", KernelRole.BASE, outputUri("i-bbb/benchmark-base-2.csv")),
                        tuple("unixbench", "i-bbb", KernelRole.TIP, outputUri("i-bbb/benchmark-tip.csv")));
    }

    @Test
    void givenRun_whenFetching_thenEachFileHasItsUploadedContent() {
        List<RunFile> files = source("run_a").benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(new String(f.content(), StandardCharsets.UTF_8))
                .isEqualTo(CSV.formatted(f.file().instanceId())));
    }

    @Test
    void givenRun_whenFetching_thenProgressIsReportedAfterEachFileUpToTheTotal() {
        List<int[]> calls = new ArrayList<>();
        List<Long> bytes = new ArrayList<>();

        source("run_a").benchmarkFiles((done, total, bytesDone) -> {
            calls.add(new int[] {done, total});
            bytes.add(bytesDone);
        });

        assertThat(calls).extracting(c -> c[0]).containsExactly(1, 2, 3, 4);
        assertThat(calls).extracting(c -> c[1]).containsOnly(4);
        assertThat(bytes).isSorted().last().isEqualTo(4L * CSV.formatted("i-aaa").length());
    }

    @Test
    void givenSiblingRunWhoseNameStartsTheSame_whenFetching_thenItsFilesAreNotIncluded() {
        List<RunFile> files = source("run_a").benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).extracting(f -> f.file().test()).containsOnly("unixbench");
    }

    @Test
    void givenRun_whenAskingItsLocation_thenItIsTheS3Uri() {
        assertThat(source("run_a").location()).isEqualTo("s3://" + bucket + "/run_a");
    }

    @Test
    void givenMissingBucket_whenFetching_thenInvalidInputNamesTheUriAndSaysTheBucketDoesNotExist() {
        S3RunSource source = new S3RunSource(s3, new S3Location(bucket + "-missing", "run_a"));

        assertThatThrownBy(() -> source.benchmarkFiles(DownloadProgress.SILENT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("s3://" + bucket + "-missing/run_a")
                .hasMessageContaining("bucket does not exist");
    }

    @Test
    void givenPrefixWithoutObjects_whenFetching_thenInvalidInputNamesTheUriAndSaysNoSuchRun() {
        S3RunSource source = source("run_nothing_here");

        assertThatThrownBy(() -> source.benchmarkFiles(DownloadProgress.SILENT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("s3://" + bucket + "/run_nothing_here")
                .hasMessageContaining("no such run");
    }

    @Test
    void givenAccessDenied_whenFetching_thenInvalidInputSaysAccessDeniedWithoutServiceDetails() {
        // moto does not enforce IAM: a client stub answers like S3 does for a caller without s3:ListBucket
        S3Client denying = new S3Client() {
            @Override
            public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
                throw (S3Exception) S3Exception.builder().statusCode(403).message("Access Denied (request id X1)")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").build()).build();
            }

            @Override
            public String serviceName() {
                return "s3";
            }

            @Override
            public void close() {
            }
        };
        S3RunSource source = new S3RunSource(denying, new S3Location("locked", "run_a"));

        assertThatThrownBy(() -> source.benchmarkFiles(DownloadProgress.SILENT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("s3://locked/run_a: ")
                .hasMessageContaining("access denied")
                .hasMessageNotContaining("X1");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a benchmark CSV over the per-file limit is not downloaded: it is listed as not "
            + "read, naming its size and the limit")
    void givenCsvOverLimit_whenFetching_thenNotReadWithReason() {
        String big = CSV.formatted("i-big") + "Dhrystone,lps,1001,true,6.1.0,i-big,c6i.large,x86_64\n".repeat(100);
        put("run_big/test_unixbench/output/i-big/benchmark-base.csv", big);
        put("run_big/test_unixbench/output/i-ok/benchmark-base.csv", CSV.formatted("i-ok"));

        List<RunFile> files = new S3RunSource(s3, new S3Location(bucket, "run_big"), new ReadLimits(1024, 1 << 20,
                1 << 20)).benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).extracting(f -> f.file().instanceId(), f -> f.notRead().orElse("read"))
                .containsExactly(tuple("i-big", "not read: " + big.length() + " bytes is over the limit of 1024 bytes "
                        + "per file"), tuple("i-ok", "read"));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a bounded read of a 3 MiB object keeps limit + 1 bytes, whatever its size")
    void givenLargeObject_whenReadAtMost_thenLimitPlusOneBytes() throws java.io.IOException {
        s3.putObject(b -> b.bucket(bucket).key("large/blob"), RequestBody.fromBytes(new byte[3 << 20]));

        byte[] head = S3ObjectStore.readAtMost(s3, software.amazon.awssdk.services.s3.model.GetObjectRequest.builder()
                .bucket(bucket).key("large/blob").build(), 1 << 20);
        byte[] small = S3ObjectStore.readAtMost(s3, software.amazon.awssdk.services.s3.model.GetObjectRequest.builder()
                .bucket(bucket).key("large/blob").build(), 4 << 20);

        assertThat(head).hasSize((1 << 20) + 1);
        assertThat(small).hasSize(3 << 20);
    }

    private static S3RunSource source(String prefix) {
        return new S3RunSource(s3, new S3Location(bucket, prefix));
    }

    private static String outputUri(String path) {
        return "s3://" + bucket + "/run_a/test_unixbench/output/" + path;
    }

    private static void put(String key, String content) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content, StandardCharsets.UTF_8));
    }
}
