package dev.pullab.core.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadLimitsTest {

    private final ReadLimits limits = new ReadLimits(100, 250, 400);

    @Test
    @DisplayName("the defaults: 16 MiB per file, 32 MiB per VM, 64 MiB per run")
    void defaults() {
        assertThat(ReadLimits.DEFAULTS).isEqualTo(new ReadLimits(16L << 20, 32L << 20, 64L << 20));
    }

    @Test
    @DisplayName("a file over the per-file limit is refused naming its size and the limit")
    void givenFileOverLimit_whenAdmitted_thenRefused() {
        ReadLimits.Budget budget = limits.budget();

        assertThat(budget.admit("ub/i-1", 101)).hasValue("not read: 101 bytes is over the limit of 100 bytes per file");
        assertThat(budget.admit("ub/i-1", 100)).isEmpty();
        assertThat(ReadLimits.DEFAULTS.budget().admit("ub/i-1", 62914560))
                .hasValue("not read: 62914560 bytes is over the limit of 16 MiB per file");
    }

    @Test
    @DisplayName("files within the per-file limit are refused once their VM's total would pass the per-VM limit")
    void givenVmTotalOverLimit_whenAdmitted_thenRefusedForThatVmOnly() {
        ReadLimits.Budget budget = limits.budget();
        budget.admit("ub/i-1", 100);
        budget.admit("ub/i-1", 100);

        assertThat(budget.admit("ub/i-1", 51)).hasValue(
                "not read: with its 51 bytes this VM's files would exceed the limit of 250 bytes per VM");
        assertThat(budget.admit("ub/i-1", 50)).isEmpty();
        assertThat(budget.admit("ub/i-2", 100)).isEmpty();
    }

    @Test
    @DisplayName("files are refused once the run's total would pass the per-run limit; refused bytes are not counted")
    void givenRunTotalOverLimit_whenAdmitted_thenRefused() {
        ReadLimits.Budget budget = limits.budget();
        budget.admit("ub/i-1", 100);
        budget.admit("ub/i-2", 100);
        budget.admit("ub/i-3", 100);
        budget.admit("ub/i-4", 500); // refused: not counted

        assertThat(budget.admit("ub/i-5", 100)).isEmpty();
        assertThat(budget.admit("ub/i-6", 1)).hasValue(
                "not read: with its 1 bytes the run's files would exceed the limit of 400 bytes per run");
    }

    @Test
    @DisplayName("a bounded read takes at most limit + 1 bytes of an endless stream")
    void givenEndlessStream_whenReadAtMost_thenLimitPlusOneBytesConsumed() throws IOException {
        CountingEndlessStream in = new CountingEndlessStream();

        byte[] content = ReadLimits.readAtMost(in, 1000);

        assertThat(content).hasSize(1001);
        assertThat(in.consumed).isEqualTo(1001);
    }

    @Test
    @DisplayName("a bounded read of a short stream returns all of it")
    void givenShortStream_whenReadAtMost_thenAll() throws IOException {
        assertThat(ReadLimits.readAtMost(new java.io.ByteArrayInputStream(new byte[10]), 1000)).hasSize(10);
    }

    @Test
    @DisplayName("limits must be positive and a file must fit an array")
    void givenBadLimits_whenCreated_thenRefused() {
        assertThatThrownBy(() -> new ReadLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read limits must be positive");
        assertThatThrownBy(() -> new ReadLimits(1L << 31, 1L << 32, 1L << 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 2 GiB");
    }

    /** Zeros forever, counting what was taken. */
    private static final class CountingEndlessStream extends InputStream {
        private long consumed;

        @Override
        public int read() {
            consumed++;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = Math.min(len, 64);
            consumed += n;
            return n;
        }
    }
}
