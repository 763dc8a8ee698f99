package dev.pullab.core.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BenchmarkFileTest {

    @ParameterizedTest
    @CsvSource({
        "test_unixbench-kernel-regression/output/i-0abc/benchmark-base-1.csv, unixbench-kernel-regression, i-0abc, BASE",
        "test_ub/output/i-1/benchmark-tip.csv, ub, i-1, TIP",
        "test_ub/output/i-1/run2/benchmark-tip-x86.csv, ub, i-1, TIP",
    })
    void givenResultLayout_whenClassified_thenBenchmarkFile(String path, String test, String instance, KernelRole role) {
        assertThat(BenchmarkFile.fromRunPath(path, "loc"))
                .contains(new BenchmarkFile(test, instance, role, "loc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "test_ub/output/i-1/result.txt",
        "test_ub/output/i-1/benchmark-other.csv",
        "test_ub/input/benchmark-base.csv",
        "test_ub/output/benchmark-base.csv",
        "shared/kernel-rpms/binary/x86_64/kernel.rpm",
        "test_ub/output/i-1/benchmark-base.csv.bak",
    })
    void givenOtherFiles_whenClassified_thenIgnored(String path) {
        assertThat(BenchmarkFile.fromRunPath(path, "loc")).isEmpty();
    }
}
