package dev.pullab.analyzer.close;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.aws.S3ObjectStore;
import dev.pullab.core.benchmark.ReadLimits;
import dev.pullab.testkit.AwsEmulator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** What the analyzer reads of a run in S3 (moto), within its read limits. */
class RunOutputsReaderIT {

    private final AwsEmulator aws = AwsEmulator.get();
    private final S3Client s3 = aws.s3();
    private final String bucket = aws.createBucket("outputs");
    private final RunOutputsReader reader = new RunOutputsReader(new S3ObjectStore(s3), new ReadLimits(1000, 2500, 4000));

    @Test
    @DisplayName("a file over the per-file limit is not read: it is listed in notRead naming its size and the limit")
    void givenFileOverPerFileLimit_whenRead_thenNotReadWithReason() {
        put("run_x/test_ub/output/i-1/benchmark-base-1.csv", 1001);
        put("run_x/test_ub/output/i-1/results.json", 1001);
        put("run_x/test_ub/output/i-1/stats.json", 100);
        put("run_x/test_ub/output/i-1/result.txt", 8);

        VmFiles vm = single(reader.read(bucket, "run_x"));

        assertThat(vm.contents()).containsOnlyKeys("stats.json", "result.txt");
        assertThat(vm.notRead()).containsOnly(
                org.assertj.core.api.Assertions.entry("benchmark-base-1.csv",
                        "not read: 1001 bytes is over the limit of 1000 bytes per file"),
                org.assertj.core.api.Assertions.entry("results.json",
                        "not read: 1001 bytes is over the limit of 1000 bytes per file"));
    }

    @Test
    @DisplayName("files beyond a VM's limit are not read, in key order; another VM's files are")
    void givenVmOverItsLimit_whenRead_thenLaterFilesNotRead() {
        put("run_y/test_ub/output/i-1/benchmark-base-1.csv", 1000);
        put("run_y/test_ub/output/i-1/benchmark-base-2.csv", 1000);
        put("run_y/test_ub/output/i-1/benchmark-tip-1.csv", 1000);
        put("run_y/test_ub/output/i-1/result.txt", 8);
        put("run_y/test_ub/output/i-2/benchmark-base-1.csv", 1000);
        put("run_y/test_ub/output/i-2/result.txt", 8);

        List<VmFiles> vms = reader.read(bucket, "run_y");

        assertThat(vms).hasSize(2);
        assertThat(vms.get(0).contents()).containsOnlyKeys("benchmark-base-1.csv", "benchmark-base-2.csv", "result.txt");
        assertThat(vms.get(0).notRead()).containsOnlyKeys("benchmark-tip-1.csv");
        assertThat(vms.get(0).notRead().get("benchmark-tip-1.csv")).contains("limit of 2500 bytes per VM");
        assertThat(vms.get(1).contents()).containsKey("benchmark-base-1.csv");
    }

    @Test
    @DisplayName("only the first 4096 bytes of a large result.txt are read")
    void givenLargeResultTxt_whenRead_thenFirstBytesOnly() {
        put("run_z/test_ub/output/i-1/result.txt", 100_000);

        assertThat(single(reader.read(bucket, "run_z")).contents().get("result.txt"))
                .hasSize(RunOutputsReader.RESULT_TXT_MAX_BYTES);
    }

    @Test
    @DisplayName("a VM without result.txt: only the last 64 KiB of its console are read, ending with its last line")
    void givenConsoleWithoutResult_whenRead_thenTailOnly() {
        String end = "[  1.9] Kernel panic - not syncing: VFS: Unable to mount root fs\n";
        byte[] console = ("x".repeat(200_000) + "\n" + end).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        s3.putObject(b -> b.bucket(bucket).key("run_c/test_boot/output/i-1/console-output.log"),
                RequestBody.fromBytes(console));

        VmFiles vm = single(reader.read(bucket, "run_c"));

        assertThat(vm.contents()).doesNotContainKey("console-output.log");
        assertThat(vm.consoleTail()).hasValueSatisfying(tail -> {
            assertThat(tail).hasSize(RunOutputsReader.CONSOLE_TAIL_BYTES);
            assertThat(new String(tail, java.nio.charset.StandardCharsets.UTF_8)).endsWith(end);
        });
    }

    @Test
    @DisplayName("a VM with result.txt: its console is not read (it reported; publishing links it)")
    void givenConsoleWithResult_whenRead_thenNotRead() {
        put("run_d/test_boot/output/i-1/console-output.log", 1000);
        put("run_d/test_boot/output/i-1/result.txt", 8);

        assertThat(single(reader.read(bucket, "run_d")).consoleTail()).isEmpty();
    }

    private static VmFiles single(List<VmFiles> vms) {
        assertThat(vms).hasSize(1);
        return vms.get(0);
    }

    private void put(String key, int bytes) {
        byte[] content = new byte[bytes];
        java.util.Arrays.fill(content, (byte) 'x');
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }
}
