package dev.pullab.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LogScrubberTest {

    private static final String KERNELCI_TOKEN = "kci-7f3a9c2e4b1d8f6a0e5c3b9d7a1f4e2c";
    private static final String KCIDB_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJvcmlnaW4iOiJwdWxsYWIiLCJleHAiOjE4OTM0NTYwMDB9.c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA";

    private final LogScrubber scrubber = LogScrubber.withoutLabSecrets();
    private final LogScrubber labScrubber = LogScrubber.forLab(KERNELCI_TOKEN, KCIDB_JWT);

    /** pullab_cloud's tests/test_log_scrub.py, case by case, with our kind names. */
    @Nested
    @DisplayName("pullab_cloud's scrub cases")
    class PullabCloudCases {

        @Test
        @DisplayName("a JWT is redacted as jwt")
        void jwt() {
            var out = scrubber.scrub("Authorization line: "
                    + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.JWT, 1));
            assertThat(out.text()).isEqualTo("Authorization line: [REDACTED:jwt]");
        }

        @Test
        @DisplayName("a bearer token is redacted and the Bearer keyword is kept")
        void bearerKeepsKeyword() {
            var out = scrubber.scrub("GET / HTTP/1.1\\r\\nAuthorization: Bearer abc.DEF-123_xyz");
            assertThat(out.report().count(RedactionKind.BEARER_TOKEN)).isEqualTo(1);
            assertThat(out.text()).isEqualTo("GET / HTTP/1.1\\r\\nAuthorization: Bearer [REDACTED:bearer_token]");
        }

        @Test
        @DisplayName("long-lived (AKIA) and temporary (ASIA) AWS access key ids are redacted")
        void awsAccessKeyIds() {
            var out = scrubber.scrub("creds dumped: AKIAIOSFODNN7EXAMPLE and ASIAYJRWVUHQQ4EXAMPL");
            assertThat(out.report().count(RedactionKind.AWS_ACCESS_KEY_ID)).isEqualTo(2);
            assertThat(out.text())
                    .isEqualTo("creds dumped: [REDACTED:aws_access_key_id] and [REDACTED:aws_access_key_id]");
        }

        @Test
        @DisplayName("a GitHub personal access token is redacted as github_token")
        void githubToken() {
            String pat = "ghp_" + "A".repeat(36);
            var out = scrubber.scrub("token=" + pat + " ok");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.GITHUB_TOKEN, 1));
            assertThat(out.text()).isEqualTo("token=[REDACTED:github_token] ok");
        }

        @Test
        @DisplayName("a PEM private key block spanning lines becomes one marker; the lines around it stay")
        void pemBlock() {
            var out = scrubber.scrub("before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxxxxxxxx\n"
                    + "yyyyyyyyzzzz\n-----END RSA PRIVATE KEY-----\nafter");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.PEM_PRIVATE_KEY, 1));
            assertThat(out.text()).isEqualTo("before\n[REDACTED:pem_private_key]\nafter");
        }

        @Test
        @DisplayName("an OpenSSH public key is redacted as ssh_public_key, its comment kept")
        void sshPublicKey() {
            var out = scrubber.scrub("ssh-ed25519 AAAA" + "B".repeat(60) + " user@host");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.SSH_PUBLIC_KEY, 1));
            assertThat(out.text()).isEqualTo("[REDACTED:ssh_public_key] user@host");
        }

        @Test
        @DisplayName("the value of an exported PASSWORD is redacted as credential_kv, the name kept")
        void passwordExport() {
            var out = scrubber.scrub("+ export PASSWORD=hunter2-secret");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.CREDENTIAL_KV, 1));
            assertThat(out.text()).isEqualTo("+ export PASSWORD=[REDACTED:credential_kv]");
        }

        @Test
        @DisplayName("a quoted session_token value is redacted, its quotes kept")
        void quotedSessionToken() {
            var out = scrubber.scrub("config: session_token=\"abc-def-1234-XYZ\"");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.CREDENTIAL_KV, 1));
            assertThat(out.text()).isEqualTo("config: session_token=\"[REDACTED:credential_kv]\"");
        }

        @Test
        @DisplayName("secrets of several kinds on several lines are counted per kind")
        void countedPerKind() {
            var out = scrubber.scrub("AKIAIOSFODNN7EXAMPLE\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.signaturepart\n"
                    + "Bearer abcdefghij\n");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.AWS_ACCESS_KEY_ID, 1,
                    RedactionKind.JWT, 1, RedactionKind.BEARER_TOKEN, 1));
            assertThat(out.text())
                    .isEqualTo("[REDACTED:aws_access_key_id]\n[REDACTED:jwt]\nBearer [REDACTED:bearer_token]\n");
        }

        @Test
        @DisplayName("the first lines of a dmesg (banner, e820 map) pass through verbatim")
        void kernelBanner() {
            String dmesg = "[    0.000000] Linux version 6.10.0-1-amd64 (build@kbuilder) "
                    + "(gcc-13 (Debian 13.2.0-23) 13.2.0, GNU ld (GNU Binutils for Debian) 2.42) "
                    + "#1 SMP PREEMPT_DYNAMIC Debian 6.10.6-1 (2024-08-19)\n"
                    + "[    0.000123] BIOS-provided physical RAM map:\n"
                    + "[    0.000456] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n";
            assertUntouched(dmesg);
        }

        @Test
        @DisplayName("PCI ids and MAC addresses pass through verbatim")
        void pciAndMac() {
            assertUntouched("pci 0000:00:1f.2: reg 0x10: [io  0x0000-0x0007]\n"
                    + "eth0: link up, 1000Mbps, full-duplex, lpa 0x45e1\n"
                    + "eth0: hw_addr 00:11:22:33:44:55\n"
                    + "wlan0: 02:00:00:aa:bb:cc associated with ap\n");
        }

        @Test
        @DisplayName("a password value under 6 characters is left alone")
        void shortPassword() {
            assertUntouched("password=x  # placeholder");
        }

        @Test
        @DisplayName("an empty log scrubs to an empty log")
        void empty() {
            var out = scrubber.scrub("");
            assertThat(out.text()).isEmpty();
            assertThat(out.report().redactions()).isEmpty();
            assertThat(out.report().lines()).isZero();
        }

        @Test
        @DisplayName("log bytes scrub to bytes")
        void bytes() throws IOException {
            var out = scrubBytes("AKIAIOSFODNN7EXAMPLE on a line\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(out.report.redactions()).isEqualTo(Map.of(RedactionKind.AWS_ACCESS_KEY_ID, 1));
            assertThat(out.bytes).isEqualTo("[REDACTED:aws_access_key_id] on a line\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Test
        @DisplayName("invalid UTF-8 does not stop the scrub and its bytes are written back unchanged")
        void invalidUtf8() throws IOException {
            byte[] prefix = {'p', 'r', 'e', ' ', (byte) 0xff, (byte) 0xfe, ' '};
            byte[] suffix = {' ', (byte) 0xc3, (byte) 0x28, ' ', 's', 'u', 'f'};
            var out = scrubBytes(concat(prefix, "AKIAIOSFODNN7EXAMPLE".getBytes(StandardCharsets.US_ASCII), suffix));
            assertThat(out.report.redactions()).isEqualTo(Map.of(RedactionKind.AWS_ACCESS_KEY_ID, 1));
            assertThat(out.bytes).isEqualTo(
                    concat(prefix, "[REDACTED:aws_access_key_id]".getBytes(StandardCharsets.US_ASCII), suffix));
        }
    }

    @Nested
    @DisplayName("the lab's own secrets")
    class LabSecrets {

        @Test
        @DisplayName("the KernelCI token is redacted as kernelci_token wherever it appears, even under a key name")
        void kernelciToken() {
            var out = labScrubber.scrub("+ export KERNELCI_API_TOKEN=" + KERNELCI_TOKEN + "\nnode " + KERNELCI_TOKEN);
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.KERNELCI_TOKEN, 2));
            assertThat(out.text())
                    .isEqualTo("+ export KERNELCI_API_TOKEN=[REDACTED:kernelci_token]\nnode [REDACTED:kernelci_token]");
        }

        @Test
        @DisplayName("the KCIDB JWT is redacted as kcidb_jwt, not as a generic jwt or bearer token")
        void kcidbJwt() {
            var out = labScrubber.scrub("curl -H 'Authorization: Bearer " + KCIDB_JWT + "'");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.KCIDB_JWT, 1));
            assertThat(out.text()).isEqualTo("curl -H 'Authorization: Bearer [REDACTED:kcidb_jwt]'");
        }

        @Test
        @DisplayName("lab values shorter than 8 characters, blank or absent are ignored")
        void tinyValuesIgnored() {
            String log = "[    0.000000] Linux version 6.1.150 a e 1234567\n";
            for (LogScrubber tiny : new LogScrubber[] {LogScrubber.forLab("", "a"), LogScrubber.forLab(null, "1234567"),
                    LogScrubber.forLab("  ", null)}) {
                var out = tiny.scrub(log);
                assertThat(out.text()).isEqualTo(log);
                assertThat(out.report().total()).isZero();
            }
        }

        @Test
        @DisplayName("a lab value with non-ASCII characters is matched in log bytes as its UTF-8 encoding")
        void nonAsciiLabValueInBytes() throws IOException {
            LogScrubber scrub = LogScrubber.forLab("jeton-é-très-secret", null);
            var out = scrubBytes(scrub, "tok jeton-é-très-secret\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(out.bytes, StandardCharsets.UTF_8)).isEqualTo("tok [REDACTED:kernelci_token]\n");
        }
    }

    @Nested
    @DisplayName("beyond pullab_cloud")
    class Beyond {

        @Test
        @DisplayName("an AWS secret access key after its name is redacted, in env, aws configure and IMDS JSON forms")
        void awsSecretAccessKey() {
            String key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
            var out = scrubber.scrub("AWS_SECRET_ACCESS_KEY=" + key + "\n"
                    + "+ aws configure set aws_secret_access_key " + key + "\n"
                    + "\"SecretAccessKey\" : \"" + key + "\",\n");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.AWS_SECRET_ACCESS_KEY, 3));
            assertThat(out.text()).doesNotContain(key);
        }

        @Test
        @DisplayName("an OpenSSH private key is a PEM block; text before BEGIN and after END on their lines is kept")
        void opensshPrivateKeyInline() {
            var out = scrubber.scrub("key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                    + "-----END OPENSSH PRIVATE KEY----- done\r\nnext\n");
            assertThat(out.text()).isEqualTo("key: [REDACTED:pem_private_key] done\r\nnext\n");
        }

        @Test
        @DisplayName("a PEM block on one line, twice, gives two markers")
        void pemOnOneLine() {
            var out = scrubber.scrub("a -----BEGIN EC PRIVATE KEY-----MHcCAQ-----END EC PRIVATE KEY----- b "
                    + "-----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY----- c\n");
            assertThat(out.text()).isEqualTo("a [REDACTED:pem_private_key] b [REDACTED:pem_private_key] c\n");
            assertThat(out.report().count(RedactionKind.PEM_PRIVATE_KEY)).isEqualTo(2);
        }

        @Test
        @DisplayName("a PEM block with no END (a truncated console) is dropped for 512 lines, BEGIN included, then the log resumes")
        void pemWithoutEnd() {
            StringBuilder log = new StringBuilder("-----BEGIN RSA PRIVATE KEY-----\n");
            for (int i = 0; i < 600; i++) {
                log.append("line ").append(i).append('\n');
            }
            var out = scrubber.scrub(log.toString());
            assertThat(out.text()).startsWith("[REDACTED:pem_private_key]\nline 511\n").endsWith("line 599\n");
            assertThat(out.text()).doesNotContain("line 510\n");
        }

        @Test
        @DisplayName("a credential name counts after _ - . or at a camel-case hump, not inside a word like chpasswd")
        void credentialNameBoundaries() {
            var out = scrubber.scrub("DB_PASSWORD=Tr0ub4dor sessionToken: abcdef123 x.secret=qwerty12 "
                    + "chpasswd: 'ec2-user' mytoken=abcdef123\n");
            assertThat(out.text()).isEqualTo("DB_PASSWORD=[REDACTED:credential_kv] sessionToken: [REDACTED:credential_kv] "
                    + "x.secret=[REDACTED:credential_kv] chpasswd: 'ec2-user' mytoken=abcdef123\n");
        }

        @Test
        @DisplayName("scrubbing a scrubbed log changes nothing")
        void idempotent() {
            String once = labScrubber.scrub("+ export KERNELCI_API_TOKEN=" + KERNELCI_TOKEN + " PASSWORD=hunter2-secret"
                    + " Bearer abcdefghij AKIAIOSFODNN7EXAMPLE\n").text();
            var twice = labScrubber.scrub(once);
            assertThat(twice.text()).isEqualTo(once);
            assertThat(twice.report().total()).isZero();
        }

        @Test
        @DisplayName("line terminators are kept: LF, CRLF and a last line without one")
        void terminators() {
            assertUntouched("one\ntwo\r\nthree\r\n\r\n\nlast");
        }

        @Test
        @DisplayName("the report counts lines and describes the redactions")
        void report() {
            var out = scrubber.scrub("a\nPASSWORD=hunter2-secret\nBearer abcdefghij\n");
            assertThat(out.report().lines()).isEqualTo(3);
            assertThat(out.report().describe()).isEqualTo("2 redactions (bearer_token 1, credential_kv 1) in 3 lines");
        }

        @Test
        @DisplayName("the report of a log with nothing to redact says so")
        void reportOfCleanLog() {
            assertThat(scrubber.scrub("a\nb\n").report().describe()).isEqualTo("0 redactions in 2 lines");
        }

        @Test
        @DisplayName("a line bound outside 1024..16Mi characters is refused with the allowed range")
        void boundValidated() {
            assertThatThrownBy(() -> scrubber.withMaxLineChars(100))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxLineChars is 100")
                    .hasMessageContaining("between 1024 and");
        }
    }

    @Nested
    @DisplayName("over-long lines")
    class OverLongLines {

        private final LogScrubber bounded = LogScrubber.forLab(KERNELCI_TOKEN, null).withMaxLineChars(1024);

        @Test
        @DisplayName("a line far over the bound with words is scrubbed in pieces: unchanged text, every secret found")
        void piecesKeepText() {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                line.append("word").append(i).append(i % 97 == 0 ? " AKIAIOSFODNN7EXAMPLE " : " ")
                        .append(i % 131 == 0 ? KERNELCI_TOKEN + "," : "");
            }
            String input = line + "\nnext line\n";
            var out = bounded.scrub(input);
            String expected = input.replace("AKIAIOSFODNN7EXAMPLE", "[REDACTED:aws_access_key_id]")
                    .replace(KERNELCI_TOKEN, "[REDACTED:kernelci_token]");
            assertThat(out.text()).isEqualTo(expected);
            assertThat(out.report().overLongLines()).isEqualTo(1);
            assertThat(out.report().lines()).isEqualTo(2);
        }

        @Test
        @DisplayName("an unbroken blob longer than half the bound is replaced whole by long_token, the rest kept")
        void blobBecomesLongToken() {
            String input = "firmware: blob " + "QUFB".repeat(1000) + " end\nnext\n";
            var out = bounded.scrub(input);
            assertThat(out.text()).isEqualTo("firmware: blob [REDACTED:long_token] end\nnext\n");
            assertThat(out.report().redactions()).isEqualTo(Map.of(RedactionKind.LONG_TOKEN, 1));
        }

        @Test
        @DisplayName("a 64 MiB line is scrubbed holding at most the bound, read and written in a stream")
        void hugeLineStreams() throws IOException {
            long total = 64L * 1024 * 1024;
            Reader endless = new Reader() {
                private long served;

                @Override
                public int read(char[] buf, int off, int len) {
                    if (served >= total) {
                        return -1;
                    }
                    int n = (int) Math.min(len, total - served);
                    for (int i = 0; i < n; i++) {
                        buf[off + i] = ((served + i) % 50 == 49) ? ' ' : 'x';
                    }
                    served += n;
                    return n;
                }

                @Override
                public void close() {
                }
            };
            long[] written = {0};
            Writer counting = new Writer() {
                @Override
                public void write(char[] buf, int off, int len) {
                    written[0] += len;
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            ScrubReport report = LogScrubber.withoutLabSecrets().scrub(endless, counting);
            assertThat(written[0]).isEqualTo(total);
            assertThat(report.overLongLines()).isEqualTo(1);
            assertThat(report.total()).isZero();
        }
    }

    private void assertUntouched(String log) {
        var out = scrubber.scrub(log);
        assertThat(out.text()).isEqualTo(log);
        assertThat(out.report().redactions()).isEmpty();
    }

    private record BytesOut(byte[] bytes, ScrubReport report) {
    }

    private BytesOut scrubBytes(byte[] in) throws IOException {
        return scrubBytes(scrubber, in);
    }

    private static BytesOut scrubBytes(LogScrubber scrubber, byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScrubReport report = scrubber.scrub(new ByteArrayInputStream(in), out);
        return new BytesOut(out.toByteArray(), report);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

}
