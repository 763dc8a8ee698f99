package dev.pullab.core.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunSourceTest {

    private static final String HEADER =
            "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";

    @TempDir
    Path run;

    @Test
    @DisplayName("a CSV over the per-file limit is listed as not read, naming the limit; the others are read")
    void givenOversizedCsv_whenFetched_thenNotReadWithReason() throws IOException {
        write("i-1", "benchmark-base-1.csv", 50);
        write("i-2", "benchmark-base-1.csv", 500);

        List<RunFile> files = new LocalRunSource(run, new ReadLimits(4096, 1 << 20, 1 << 20))
                .benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).hasSize(2);
        assertThat(files.get(0).notRead()).isEmpty();
        assertThat(files.get(0).content()).isNotEmpty();
        assertThat(files.get(1).file().instanceId()).isEqualTo("i-2");
        assertThat(files.get(1).content()).isEmpty();
        assertThat(files.get(1).notRead()).hasValueSatisfying(reason -> assertThat(reason)
                .matches("not read: \\d+ bytes is over the limit of 4096 bytes per file"));
    }

    @Test
    @DisplayName("a VM's CSVs beyond the per-VM limit are not read, in file order; another VM's still are")
    void givenVmOverItsLimit_whenFetched_thenLaterFilesOfThatVmNotRead() throws IOException {
        long one = write("i-1", "benchmark-base-1.csv", 40);
        write("i-1", "benchmark-tip-1.csv", 40);
        write("i-2", "benchmark-base-1.csv", 40);

        List<RunFile> files = new LocalRunSource(run, new ReadLimits(one, one + 10, 1 << 20))
                .benchmarkFiles(DownloadProgress.SILENT);

        assertThat(files).extracting(f -> f.file().instanceId() + " " + f.file().role() + " " + f.notRead().isPresent())
                .containsExactly("i-1 BASE false", "i-1 TIP true", "i-2 BASE false");
        assertThat(files.get(1).notRead()).hasValueSatisfying(r -> assertThat(r).contains("per VM"));
    }

    /** A valid CSV with {@code rows} rows; its size in bytes. */
    private long write(String vm, String name, int rows) throws IOException {
        StringBuilder text = new StringBuilder(HEADER);
        for (int i = 0; i < rows; i++) {
            text.append("Execl,lps,").append(1000 + i % 7).append(",true,6.1.150,").append(vm)
                    .append(",m5.large,x86_64\n");
        }
        Path file = Files.createDirectories(run.resolve("test_ub/output/" + vm)).resolve(name);
        Files.writeString(file, text);
        return Files.size(file);
    }
}
