package dev.pullab.core.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Well-formed files; the bad ones are the corpus of {@link BenchmarkCsvCorpusTest} ({@code bad-input/csv/}). */
class BenchmarkCsvReaderTest {

    private static final String HEADER = "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch\n";
    private static final BenchmarkFile FILE = new BenchmarkFile("unixbench", "i-0abc", KernelRole.TIP,
            "run/test_unixbench/output/i-0abc/benchmark-tip-1.csv");

    private final BenchmarkCsvReader reader = new BenchmarkCsvReader();

    @Test
    @DisplayName("a file in the contract's column order is read row by row")
    void givenContractColumns_whenRead_thenSamples() {
        List<BenchmarkSample> rows = read(HEADER
                + "Dhrystone,lps,41959.9,true,6.1.150,i-0abc,m5.large,x86_64\n"
                + "Pipe_latency,us,12.5,false,6.1.150,i-0abc,m5.large,x86_64\n");

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).isEqualTo(new BenchmarkSample("unixbench", KernelRole.TIP, "Dhrystone", "lps",
                41959.9, true, "6.1.150", "i-0abc", "m5.large", "x86_64", FILE.location() + ":2"));
        assertThat(rows.get(1).moreIsBetter()).isFalse();
        assertThat(rows.get(1).source()).endsWith(":3");
    }

    @Test
    @DisplayName("column order is free, extra columns are ignored, traceability columns are optional")
    void givenReorderedColumnsWithExtras_whenRead_thenSamples() {
        List<BenchmarkSample> rows = read("kernel_version,value,comment,metric,more_is_better,unit\n"
                + "6.1.141,100,first run,Execl,True,lps\n");

        assertThat(rows).singleElement().satisfies(s -> {
            assertThat(s.metric()).isEqualTo("Execl");
            assertThat(s.value()).isEqualTo(100.0);
            assertThat(s.instanceId()).isEqualTo("i-0abc");
            assertThat(s.arch()).isEqualTo("unknown");
        });
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"10f", "0x1p3", "1d", "NaN", "Infinity", "-Infinity", "0x1.8p1", "1_0"})
    @DisplayName("a value Java would parse but that is not a plain decimal number (10f, 0x1p3, 1d, NaN) is refused")
    void givenJavaOnlyNumber_whenRead_thenRefusedNamingLine(String value) {
        assertThatThrownBy(() -> read(HEADER + "Execl,lps," + value + ",true,6.1.150,i-0abc,m5.large,x86_64\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(FILE.location() + ":2: value '" + value + "' of metric 'Execl' is not a number "
                        + "(expected a decimal number such as 12, -0.5 or 1.2e3)");
    }

    @Test
    @DisplayName("a file over the reader's size limit is refused naming its size and the limit, before decoding")
    void givenFileOverLimit_whenRead_thenRefusedNamingLimit() {
        byte[] content = (HEADER + "Execl,lps,1,true,6.1.150,i-0abc,m5.large,x86_64\n").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new BenchmarkCsvReader(64).read(FILE, content))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(FILE.location() + ": not read: " + content.length + " bytes is over the limit of 64 bytes "
                        + "per file");
    }

    @Test
    @DisplayName("a file that was not read (over a read limit) is refused with the reason it was not read")
    void givenFileNotRead_whenRead_thenRefusedWithReason() {
        RunFile notRead = RunFile.notRead(FILE, "not read: 62914560 bytes is over the limit of 16 MiB per file");

        assertThatThrownBy(() -> reader.read(notRead))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(FILE.location() + ": not read: 62914560 bytes is over the limit of 16 MiB per file");
    }

    @Test
    @DisplayName("rows repeating a metric, unit, kernel or arch share one String each (bounded memory per row)")
    void givenRepeatedCells_whenRead_thenSharedStrings() {
        List<BenchmarkSample> rows = read(HEADER + "Execl,lps,1,true,6.1.150,i-0abc,m5.large,x86_64\n"
                + "Execl,lps,2,true,6.1.150,i-0abc,m5.large,x86_64\n");

        assertThat(rows.get(1).metric()).isSameAs(rows.get(0).metric());
        assertThat(rows.get(1).unit()).isSameAs(rows.get(0).unit());
        assertThat(rows.get(1).kernelVersion()).isSameAs(rows.get(0).kernelVersion());
        assertThat(rows.get(1).arch()).isSameAs(rows.get(0).arch());
    }

    private List<BenchmarkSample> read(String csv) {
        return reader.read(FILE, csv.getBytes(StandardCharsets.UTF_8));
    }
}
