package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.core.launch.ConsoleReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Decoding EC2's console text and its 1 MiB tail cut (the emulator's console is short and fixed, so the cut is
 * checked on the decoding itself).
 */
class Ec2ConsoleReaderTest {

    private static byte[] console(int bytes) {
        byte[] text = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            text[i] = (byte) ('a' + i % 26);
        }
        text[bytes - 1] = '\n';
        return text;
    }

    @Test
    @DisplayName("a console under 1 MiB is decoded whole")
    void givenSmallConsole_whenDecoded_thenWhole() {
        byte[] text = "[ 0.0] Linux version 6.12\n".getBytes(StandardCharsets.UTF_8);

        assertThat(Ec2ConsoleReader.decode(Base64.getEncoder().encodeToString(text))).isEqualTo(text);
    }

    @Test
    @DisplayName("a console of 3 MiB keeps exactly its last 1 MiB, ending with the console's last byte")
    void givenLargeConsole_whenDecoded_thenLastMebibyte() {
        byte[] text = console(3 * ConsoleReader.MAX_CONSOLE_BYTES + 17);

        byte[] kept = Ec2ConsoleReader.decode(Base64.getEncoder().encodeToString(text));

        assertThat(kept).hasSize(ConsoleReader.MAX_CONSOLE_BYTES);
        assertThat(kept).isEqualTo(Arrays.copyOfRange(text, text.length - ConsoleReader.MAX_CONSOLE_BYTES,
                text.length));
    }

    @Test
    @DisplayName("every length around the cut (base64 groups of 3 bytes) keeps exactly the end")
    void givenLengthsAroundCut_whenDecoded_thenExactTail() {
        for (int extra = -2; extra <= 4; extra++) {
            byte[] text = console(ConsoleReader.MAX_CONSOLE_BYTES + extra);

            byte[] kept = Ec2ConsoleReader.decode(Base64.getEncoder().encodeToString(text));

            int expected = Math.min(text.length, ConsoleReader.MAX_CONSOLE_BYTES);
            assertThat(kept).as("console of %d bytes", text.length)
                    .isEqualTo(Arrays.copyOfRange(text, text.length - expected, text.length));
        }
    }

    @Test
    @DisplayName("line breaks in the base64 text (a MIME-style wrap) are ignored; none or blank is empty")
    void givenWrappedOrBlank_whenDecoded_thenDecodedOrEmpty() {
        byte[] text = console(1000);
        String wrapped = Base64.getMimeEncoder().encodeToString(text);

        assertThat(Ec2ConsoleReader.decode(wrapped)).isEqualTo(text);
        assertThat(Ec2ConsoleReader.decode(null)).isEmpty();
        assertThat(Ec2ConsoleReader.decode("  ")).isEmpty();
    }
}
