package dev.pullab.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    @Test
    @DisplayName("a missing required column names the file, line 1 and the column")
    void givenMissingColumn_whenRead_thenErrorNamesColumn() {
        assertThatThrownBy(() -> read("metric,unit,more_is_better,kernel_version\nm,lps,true,6.1\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(FILE.location() + ":1: ")
                .hasMessageContaining("missing column value");
    }

    @Test
    @DisplayName("a non-numeric value names the file, the line and the metric")
    void givenNonNumericValue_whenRead_thenErrorNamesLine() {
        assertThatThrownBy(() -> read(HEADER
                + "Dhrystone,lps,41959.9,true,6.1.150,i-0abc,m5.large,x86_64\n"
                + "Execl,lps,fast,true,6.1.150,i-0abc,m5.large,x86_64\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(FILE.location() + ":3: value 'fast' of metric 'Execl' is not a number");
    }

    @Test
    @DisplayName("NaN or infinite values are refused")
    void givenNaN_whenRead_thenError() {
        assertThatThrownBy(() -> read(HEADER + "Execl,lps,NaN,true,6.1.150,i-0abc,m5.large,x86_64\n"))
                .hasMessageContaining(":2: ").hasMessageContaining("not a finite number");
    }

    @Test
    @DisplayName("an empty file is refused with the expected header")
    void givenEmptyFile_whenRead_thenError() {
        assertThatThrownBy(() -> read(""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(FILE.location() + ":1: empty file; expected a header line "
                        + "metric,unit,value,more_is_better,kernel_version,instance_id,instance_type,arch");
    }

    @Test
    @DisplayName("a header with no rows is refused")
    void givenHeaderOnly_whenRead_thenError() {
        assertThatThrownBy(() -> read(HEADER)).hasMessageContaining(":2: no data rows after the header");
    }

    @Test
    @DisplayName("more_is_better must be a boolean")
    void givenBadDirection_whenRead_thenError() {
        assertThatThrownBy(() -> read(HEADER + "Execl,lps,1,higher,6.1.150,i-0abc,m5.large,x86_64\n"))
                .hasMessageContaining(":2: more_is_better 'higher' is not true or false");
    }

    @Test
    @DisplayName("an empty required cell names its column")
    void givenEmptyMetric_whenRead_thenError() {
        assertThatThrownBy(() -> read(HEADER + ",lps,1,true,6.1.150,i-0abc,m5.large,x86_64\n"))
                .hasMessageContaining(":2: empty metric");
    }

    @Test
    @DisplayName("blank lines are skipped and do not shift the reported line numbers")
    void givenBlankLines_whenRead_thenLineNumbersStayTrue() {
        assertThatThrownBy(() -> read(HEADER + "\nExecl,lps,x,true,6.1.150,i-0abc,m5.large,x86_64\n"))
                .hasMessageContaining(":3: ");
    }

    private List<BenchmarkSample> read(String csv) {
        return reader.read(FILE, csv.getBytes(StandardCharsets.UTF_8));
    }
}
