package dev.pullab.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    @DisplayName("printable text, including non-ASCII letters, symbols and emoji, is kept as it is")
    void givenPrintableText_whenEscaped_thenUnchanged() {
        String text = "Dhrystone_2 µs → 5% (x86_64) \u26a0 \ud83d\ude80";

        assertThat(Printable.escape(text)).isSameAs(text);
    }

    @Test
    @DisplayName("line ends and tabs are written as \\n, \\r and \\t: one line stays one line")
    void givenLineBreaks_whenEscaped_thenVisibleEscapes() {
        assertThat(Printable.escape("x\nREGRESSIONS DETECTED: 0\r\tend")).isEqualTo("x\\nREGRESSIONS DETECTED: 0\\r\\tend");
    }

    @Test
    @DisplayName("ESC, NUL, DEL and C1 controls are written as \\xHH: no ANSI sequence reaches a terminal")
    void givenControlChars_whenEscaped_thenHexEscapes() {
        assertThat(Printable.escape("\u001b[2J\u0000\u007f\u009b31m")).isEqualTo("\\x1b[2J\\x00\\x7f\\x9b31m");
    }

    @Test
    @DisplayName("Unicode line separators, bidi overrides and lone surrogates are written as \\uHHHH")
    void givenUnicodeControls_whenEscaped_thenUnicodeEscapes() {
        assertThat(Printable.escape("a\u2028b\u202ec\u2066d\ud800"))
                .isEqualTo("a\\u2028b\\u202ec\\u2066d\\ud800");
    }

    @Test
    @DisplayName("a backslash is doubled, so text that looks escaped is not mistaken for an escape")
    void givenBackslash_whenEscaped_thenDoubled() {
        assertThat(Printable.escape("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    @DisplayName("the escaped form never contains a control character")
    void givenEveryChar_whenEscaped_thenNoControls() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            all.append(c);
        }

        assertThat(Printable.escape(all.toString()).chars()).noneMatch(c -> Character.isISOControl(c)
                || c == 0x2028 || c == 0x2029 || c >= 0x202a && c <= 0x202e);
    }
}
