package dev.pullab.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalNumberTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "12|12", "-0.5|-0.5", "+3|3", "1.|1", ".25|0.25", "1.2e3|1200", "1E-2|0.01", "007|7", "1e400|Infinity"})
    @DisplayName("plain decimal notation is accepted and converted")
    void givenDecimal_whenParsed_thenValue(String text, double expected) {
        assertThat(DecimalNumber.parse(text)).hasValue(expected);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"10f", "10F", "1d", "1D", "0x1p3", "0X10", "NaN", "Infinity", "-Infinity", "+NaN",
        " 1", "1 ", "", ".", "-", "e5", "1e", "1e+", "1,5", "1_000", "١٢", "1.2.3", "--1", "0x1.8p1"})
    @DisplayName("Java-only forms (10f, 1d, 0x1p3, NaN, Infinity), whitespace and junk are not numbers")
    void givenNonDecimal_whenParsed_thenEmpty(String text) {
        assertThat(DecimalNumber.parse(text)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    @DisplayName("null is not a number")
    void givenNull_whenParsed_thenEmpty() {
        assertThat(DecimalNumber.parse(null)).isEmpty();
    }
}
