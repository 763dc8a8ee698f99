package dev.pullab.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real-looking logs under {@code src/test/resources/log-scrub/}, each with the secrets planted in it: after a scrub
 * through the byte API, a line that held planted secrets is the input line with exactly those secrets replaced by
 * their kinds' markers, and every other line is byte-identical to the input (same count of lines, same terminators).
 */
class LogScrubberCorpusTest {

    private static final String KERNELCI_TOKEN = "kci-7f3a9c2e4b1d8f6a0e5c3b9d7a1f4e2c";
    private static final String KCIDB_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJvcmlnaW4iOiJwdWxsYWIiLCJleHAiOjE4OTM0NTYwMDB9.c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA";

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("al2023-x86_64-ec2-console.log", Map.of(
                        "AKIAIOSFODNN7EXAMPLE", RedactionKind.AWS_ACCESS_KEY_ID,
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", RedactionKind.AWS_SECRET_ACCESS_KEY,
                        "ASIAYJRWVUHQQ4EXAMPL", RedactionKind.AWS_ACCESS_KEY_ID,
                        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", RedactionKind.AWS_SECRET_ACCESS_KEY,
                        "IQoJb3JpZ2luX2VjEXAMPLEtokenBODYnotreal", RedactionKind.CREDENTIAL_KV,
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx3N7p2QkL9mR4tW8vY1zC5bE0fH3jK6nP9sU2xA7dG",
                        RedactionKind.SSH_PUBLIC_KEY)),
                Arguments.of("arm64-graviton-boot.log", Map.of(
                        "ghp_Q3r9XkT2mWz8vLp4sNd7yHb1cJf6gA0eRu5i", RedactionKind.GITHUB_TOKEN,
                        KCIDB_JWT, RedactionKind.KCIDB_JWT,
                        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaS1ib3QifQ.ZmFrZS1zaWduYXR1cmU", RedactionKind.JWT)),
                Arguments.of("x86_64-oops-panic.log", Map.of(
                        "7d5c1a9e3f8b2d4c6a0e9f1b3d5c7a9e", RedactionKind.BEARER_TOKEN)),
                Arguments.of("systemd-cloud-init-boot.log", Map.of(
                        "Tr0ub4dor-and-3", RedactionKind.CREDENTIAL_KV,
                        "Xk9#pLm2$wQz", RedactionKind.CREDENTIAL_KV)),
                Arguments.of("bash-x-stage-trace.log", Map.of(
                        KERNELCI_TOKEN, RedactionKind.KERNELCI_TOKEN,
                        KCIDB_JWT, RedactionKind.KCIDB_JWT,
                        "opaque-9f8e7d6c5b4a", RedactionKind.BEARER_TOKEN,
                        "sk_live_51HfakeFAKEfake", RedactionKind.CREDENTIAL_KV)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @DisplayName("planted secrets are replaced by their kind's marker and every other line is byte-identical")
    void plantedSecretsGoneOtherLinesIdentical(String name, Map<String, RedactionKind> planted) throws IOException {
        byte[] input = read(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScrubReport report = LogScrubber.forLab(KERNELCI_TOKEN, KCIDB_JWT).scrub(new ByteArrayInputStream(input), out);

        List<String> in = lines(input);
        List<String> scrubbed = lines(out.toByteArray());
        assertThat(scrubbed).as("lines of %s", name).hasSameSizeAs(in);
        planted.keySet().forEach(secret -> assertThat(new String(input, StandardCharsets.ISO_8859_1))
                .as("the corpus %s really holds the planted secret", name).contains(secret));
        for (int i = 0; i < in.size(); i++) {
            String before = in.get(i);
            String after = scrubbed.get(i);
            List<Map.Entry<String, RedactionKind>> here = planted.entrySet().stream()
                    .filter(e -> before.contains(e.getKey())).toList();
            if (here.isEmpty()) {
                assertThat(after).as("%s line %d has no secret and must be unchanged", name, i + 1).isEqualTo(before);
            } else {
                String expected = before;
                for (var secret : here) {
                    expected = expected.replace(secret.getKey(), secret.getValue().marker());
                }
                assertThat(after).as("%s line %d: only its planted secrets replaced, by their kinds' markers", name, i + 1)
                        .isEqualTo(expected);
            }
        }
        assertThat(report.total()).isGreaterThanOrEqualTo(planted.size());
        assertThat(report.lines()).isEqualTo(in.size());
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = LogScrubberCorpusTest.class.getResourceAsStream("/log-scrub/" + name)) {
            assertThat(in).as("test resource /log-scrub/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The lines of a log, each with its terminator, as ISO-8859-1 text (one char per byte). */
    private static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < text.length()) {
            lines.add(text.substring(from));
        }
        return lines;
    }
}
