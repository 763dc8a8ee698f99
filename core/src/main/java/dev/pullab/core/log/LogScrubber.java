package dev.pullab.core.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from a log before it is written where others can read it (console output, stage logs, client
 * logs), replacing each by {@code [REDACTED:<kind>]}. Pure text in, text out: no AWS types, no I/O of its own.
 *
 * <h2>What is redacted, in the order the rules run</h2>
 * <ol>
 * <li>{@code kernelci_token}, {@code kcidb_jwt}: the lab's own secret values, given at construction, matched
 *     exactly wherever they appear (longest first). A value shorter than {@value #MIN_LAB_SECRET_CHARS} characters is
 *     ignored, so an empty or tiny setting cannot redact everything.</li>
 * <li>{@code pem_private_key}: {@code -----BEGIN <...>PRIVATE KEY-----} through the matching END line, also when the
 *     block spans lines. The whole block becomes one marker; text before BEGIN and after END on their lines is kept.
 *     A block with no END within {@value #MAX_PEM_BLOCK_LINES} lines (a truncated console) is dropped up to there,
 *     then the log resumes: failing closed, but never swallowing the rest of a log.</li>
 * <li>{@code jwt}: {@code eyJ<base64url>.eyJ<base64url>.<base64url>}.</li>
 * <li>{@code github_token}: {@code gh[pousr]_} plus 36 or more letters/digits, or {@code github_pat_...}.</li>
 * <li>{@code aws_access_key_id}: {@code AKIA} or {@code ASIA} plus 16 upper-case letters/digits, as a word.</li>
 * <li>{@code aws_secret_access_key}: 40 base64 characters after a name containing {@code secret_access_key} or
 *     {@code SecretAccessKey} and a {@code =}, {@code :} or blank (env, {@code aws configure set}, IMDS JSON). The
 *     name is kept.</li>
 * <li>{@code ssh_public_key}: {@code ssh-rsa|ssh-ed25519|ssh-dss|ssh-ecdsa-*} followed by 40 or more base64
 *     characters (pullab_cloud's rule, kept for parity; the comment after the key is kept). Private OpenSSH keys are
 *     PEM blocks and fall under {@code pem_private_key}.</li>
 * <li>{@code bearer_token}: the 8 or more token characters after {@code Bearer } (any case); the keyword is kept.</li>
 * <li>{@code credential_kv}: the value (6 or more characters up to a blank or quote) of a pair whose name ends in
 *     password, passwd, passphrase, secret, token, api_key, access_key or private_key (any case; as a whole word, after
 *     a {@code _ - .} as in {@code KERNELCI_API_TOKEN} or {@code DB_PASSWORD}, or at a camel-case hump as in
 *     {@code sessionToken}; not inside a word such as {@code chpasswd:}), written {@code NAME=value}, {@code NAME: value} or
 *     {@code "NAME" : "value"}. The name, separator and quotes are kept. A value that is already a marker is left
 *     alone, so scrubbing is idempotent and the more specific kind wins.</li>
 * </ol>
 * Rules match credential shapes and obvious spellings, not anything that merely looks random: kernel banners,
 * version strings with git SHAs, PCI ids, MAC addresses, UUIDs, hex addresses of oops traces and base64 blobs in
 * firmware lines pass through unchanged. A line without a redaction is written back byte for byte, including its
 * line terminator ({@code \n}, {@code \r\n} or none at the end of the log).
 *
 * <h2>Memory</h2>
 * Logs are read line by line and a line is held only up to {@code maxLineChars} characters (default
 * {@value #DEFAULT_MAX_LINE_CHARS}). A longer line is scrubbed in pieces, cut after the last character in the piece's
 * second half that cannot be part of a token (a blank, quote, comma...), so no token is cut and the output is the
 * input when there is nothing to redact. Only when the whole second half is one unbroken run of token characters
 * (a blob of at least half the bound) is that run, through its end in the following input, replaced by
 * {@code [REDACTED:long_token]}: it cannot be checked, so it is not published. Known limit: a keyword-anchored pair
 * ({@code Bearer x}, {@code NAME = x}) or a PEM BEGIN/END line (they contain blanks) that a piece cut splits is not
 * recognised, nor a lab value containing a character outside {@code [A-Za-z0-9._+/=~-]}; the token-shaped rules and
 * token-shaped lab values (JWTs, hex tokens) are still matched in each piece. Lines under the bound have none of these
 * limits.
 *
 * <p>Speed: about 2 s for a 50 MB log on one shared core (see the notes of issue 20); credential pairs are found from
 * their separator backwards and each shape rule is tried only on lines holding its literal prefix.
 *
 * <p>The byte API ({@link #scrub(InputStream, OutputStream)}) reads bytes as ISO-8859-1, one character per byte, so
 * invalid UTF-8 from a noisy UART never stops the scrub and unredacted bytes are written back unchanged; the lab's
 * values are matched as their UTF-8 bytes.
 *
 * <p>Instances are immutable and thread-safe; each call keeps its own state.
 */
public final class LogScrubber {

    /** Default bound on the characters of one line held in memory. */
    public static final int DEFAULT_MAX_LINE_CHARS = 64 * 1024;
    /** Lab secret values shorter than this are ignored. */
    public static final int MIN_LAB_SECRET_CHARS = 8;
    /** A PEM block without END is dropped for at most this many lines. */
    public static final int MAX_PEM_BLOCK_LINES = 512;
    private static final int MIN_MAX_LINE_CHARS = 1024;
    private static final int MAX_MAX_LINE_CHARS = 16 * 1024 * 1024;

    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----");
    private static final Pattern PEM_END = Pattern.compile("-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----");

    /**
     * A rule: a pattern, its kind, the group holding the secret (0: the whole match), and literals of which a text
     * must contain one for the pattern to be tried at all (none: always tried); {@link String#indexOf} is far
     * cheaper than a regex scan of every line.
     */
    private record Rule(RedactionKind kind, Pattern pattern, int secretGroup, List<String> triggers) {

        boolean mayMatch(String text) {
            return triggers.isEmpty() || triggers.stream().anyMatch(text::contains);
        }
    }

    private static final List<Rule> SHAPE_RULES = List.of(
            new Rule(RedactionKind.JWT,
                    Pattern.compile("\\beyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), 0,
                    List.of("eyJ")),
            new Rule(RedactionKind.GITHUB_TOKEN,
                    Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\\b"), 0,
                    List.of("gh")),
            new Rule(RedactionKind.AWS_ACCESS_KEY_ID,
                    Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), 0,
                    List.of("AKIA", "ASIA")),
            new Rule(RedactionKind.AWS_SECRET_ACCESS_KEY,
                    Pattern.compile("(?i)secret_?access_?key[\"']?\\s*[:=\\s]\\s*[\"']?"
                            + "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1,
                    List.of()),
            new Rule(RedactionKind.SSH_PUBLIC_KEY,
                    Pattern.compile("\\bssh-(?:rsa|ed25519|dss|ecdsa-[a-z0-9-]+)\\s+[A-Za-z0-9+/=]{40,}"), 0,
                    List.of("ssh-")),
            new Rule(RedactionKind.BEARER_TOKEN,
                    Pattern.compile("(?i)\\bBearer\\s+([A-Za-z0-9._~+/=-]{8,})"), 1,
                    List.of()));

    /**
     * Names (lower case) whose {@code NAME=value} or {@code NAME: value} pair is a credential. A pair is found from
     * its separator backwards (a line has few separators), then its value is read by {@link #CREDENTIAL_VALUE}: much
     * faster than a case-insensitive alternation tried at every character of a 50 MB log.
     */
    private static final List<String> CREDENTIAL_NAMES = List.of("password", "passwd", "passphrase", "secret",
            "token", "apikey", "api_key", "api-key", "accesskey", "access_key", "access-key", "privatekey",
            "private_key", "private-key");
    private static final Pattern CREDENTIAL_VALUE =
            Pattern.compile("[\"']?\\s*[:=]\\s*[\"']?(?!\\[REDACTED:)([^\\s'\"]{6,})");

    /** A lab secret value and its kind. */
    private record LabValue(RedactionKind kind, String value) {
    }

    private final List<LabValue> labValues;
    private final List<LabValue> labValuesAsBytes;
    private final int maxLineChars;

    private LogScrubber(List<LabValue> labValues, int maxLineChars) {
        this.labValues = labValues;
        this.labValuesAsBytes = labValues.stream()
                .map(v -> new LabValue(v.kind(), new String(v.value().getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1)))
                .sorted(Comparator.comparingInt((LabValue v) -> v.value().length()).reversed())
                .toList();
        this.maxLineChars = maxLineChars;
    }

    /**
     * A scrubber for a lab whose KernelCI token and KCIDB JWT are the given values; either may be null or blank when
     * the lab has none, and values shorter than {@value #MIN_LAB_SECRET_CHARS} characters are ignored.
     */
    public static LogScrubber forLab(String kernelciToken, String kcidbJwt) {
        List<LabValue> values = new ArrayList<>();
        addIfUsable(values, RedactionKind.KERNELCI_TOKEN, kernelciToken);
        addIfUsable(values, RedactionKind.KCIDB_JWT, kcidbJwt);
        values.sort(Comparator.comparingInt((LabValue v) -> v.value().length()).reversed());
        return new LogScrubber(List.copyOf(values), DEFAULT_MAX_LINE_CHARS);
    }

    /** A scrubber with the pattern rules only. */
    public static LogScrubber withoutLabSecrets() {
        return new LogScrubber(List.of(), DEFAULT_MAX_LINE_CHARS);
    }

    private static void addIfUsable(List<LabValue> values, RedactionKind kind, String value) {
        if (value != null && value.strip().length() >= MIN_LAB_SECRET_CHARS) {
            values.add(new LabValue(kind, value.strip()));
        }
    }

    /** This scrubber with another line bound, between 1024 and 16 Mi characters. */
    public LogScrubber withMaxLineChars(int maxLineChars) {
        if (maxLineChars < MIN_MAX_LINE_CHARS || maxLineChars > MAX_MAX_LINE_CHARS) {
            throw new IllegalArgumentException("maxLineChars is " + maxLineChars + "; give a bound between "
                    + MIN_MAX_LINE_CHARS + " and " + MAX_MAX_LINE_CHARS + " characters");
        }
        return new LogScrubber(labValues, maxLineChars);
    }

    /** The bound on the characters of one line held in memory. */
    public int maxLineChars() {
        return maxLineChars;
    }

    /** Scrubbed text and what was done, for a text already in memory. */
    public record Scrubbed(String text, ScrubReport report) {
    }

    /** Scrubs a text already in memory (a short stage log, a message). */
    public Scrubbed scrub(String text) {
        StringWriter out = new StringWriter(text.length());
        try {
            ScrubReport report = run(new StringReader(text), out, labValues);
            return new Scrubbed(out.toString(), report);
        } catch (IOException e) {
            throw new UncheckedIOException("scrubbing an in-memory text cannot fail; this is a bug", e);
        }
    }

    /** Scrubs text from {@code in} to {@code out}, line by line; neither is closed, {@code out} is not flushed. */
    public ScrubReport scrub(Reader in, Writer out) throws IOException {
        return run(in, out, labValues);
    }

    /**
     * Scrubs log bytes from {@code in} to {@code out}, line by line, writing unredacted bytes back unchanged
     * (whatever their encoding); neither stream is closed, {@code out} is flushed.
     */
    public ScrubReport scrub(InputStream in, OutputStream out) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.ISO_8859_1);
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.ISO_8859_1), 64 * 1024);
        ScrubReport report = run(reader, writer, labValuesAsBytes);
        writer.flush();
        return report;
    }

    private ScrubReport run(Reader in, Writer out, List<LabValue> values) throws IOException {
        Pass pass = new Pass(out, values);
        char[] chunk = new char[16 * 1024];
        StringBuilder line = new StringBuilder();
        boolean lineIsOverLong = false;
        int n;
        while ((n = in.read(chunk)) != -1) {
            for (int i = 0; i < n; i++) {
                char c = chunk[i];
                if (pass.skippingRun) {
                    if (isTokenChar(c)) {
                        continue;
                    }
                    pass.skippingRun = false;
                }
                if (c == '\n') {
                    int end = line.length();
                    boolean crlf = end > 0 && line.charAt(end - 1) == '\r';
                    pass.line(line.substring(0, crlf ? end - 1 : end), crlf ? "\r\n" : "\n");
                    line.setLength(0);
                    pass.lines++;
                    lineIsOverLong = false;
                } else {
                    line.append(c);
                    if (line.length() >= maxLineChars) {
                        if (!lineIsOverLong) {
                            pass.overLongLines++;
                            lineIsOverLong = true;
                        }
                        cutPiece(line, pass);
                    }
                }
            }
        }
        if (line.length() > 0 || lineIsOverLong) {
            pass.line(line.toString(), "");
            pass.lines++;
        }
        return new ScrubReport(pass.counts, pass.lines, pass.overLongLines);
    }

    /** Scrubs and writes the head of an over-long line, leaving the rest in {@code line}. */
    private void cutPiece(StringBuilder line, Pass pass) throws IOException {
        int length = line.length();
        int from = length - maxLineChars / 2;
        for (int i = length - 1; i >= from; i--) {
            if (!isTokenChar(line.charAt(i))) {
                String head = line.substring(0, i + 1);
                line.delete(0, i + 1);
                pass.line(head, "");
                return;
            }
        }
        int runStart = from;
        while (runStart > 0 && isTokenChar(line.charAt(runStart - 1))) {
            runStart--;
        }
        pass.count(RedactionKind.LONG_TOKEN);
        pass.line(line.substring(0, runStart) + RedactionKind.LONG_TOKEN.marker(), "");
        line.setLength(0);
        pass.skippingRun = true;
    }

    /** Characters a token of any rule can be made of; a piece is never cut between two of them. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-' || c == '+' || c == '/' || c == '=' || c == '~';
    }

    /** The state of one scrub: the PEM block being dropped, the counts, the output. */
    private static final class Pass {
        private final Writer out;
        private final List<LabValue> values;
        private final Map<RedactionKind, Integer> counts = new EnumMap<>(RedactionKind.class);
        private boolean inPem;
        private int pemLines;
        private boolean skippingRun;
        private long lines;
        private long overLongLines;

        Pass(Writer out, List<LabValue> values) {
            this.out = out;
            this.values = values;
        }

        void count(RedactionKind kind) {
            counts.merge(kind, 1, Integer::sum);
        }

        /** Scrubs and writes one line (or piece of a line) without its terminator, then the terminator. */
        void line(String text, String terminator) throws IOException {
            String rest = text;
            StringBuilder kept = new StringBuilder();
            while (true) {
                if (inPem) {
                    Matcher end = PEM_END.matcher(rest);
                    if (!end.find()) {
                        out.append(kept);
                        if (++pemLines >= MAX_PEM_BLOCK_LINES) {
                            inPem = false;
                            out.append(terminator);
                        }
                        return;
                    }
                    inPem = false;
                    rest = rest.substring(end.end());
                }
                Matcher begin = PEM_BEGIN.matcher(rest);
                if (!begin.find()) {
                    if (kept.length() == 0) {
                        out.append(scrubShapes(rest)).append(terminator);
                    } else {
                        out.append(kept).append(scrubShapes(rest)).append(terminator);
                    }
                    return;
                }
                kept.append(scrubShapes(rest.substring(0, begin.start()))).append(RedactionKind.PEM_PRIVATE_KEY.marker());
                count(RedactionKind.PEM_PRIVATE_KEY);
                inPem = true;
                pemLines = 0;
                rest = rest.substring(begin.end());
            }
        }

        private String scrubShapes(String text) {
            String result = text;
            for (LabValue value : values) {
                result = replaceValue(result, value);
            }
            for (Rule rule : SHAPE_RULES) {
                result = replaceRule(result, rule);
            }
            return replaceCredentialPairs(result);
        }

        /** Redacts the values of credential pairs, found from each {@code =} or {@code :} backwards. */
        private String replaceCredentialPairs(String text) {
            StringBuilder sb = null;
            int length = text.length();
            int copied = 0;
            int i = 0;
            while (i < length) {
                char c = text.charAt(i);
                int nameEnd = c == '=' || c == ':' ? credentialNameEnd(text, i) : -1;
                Matcher value = nameEnd < 0 ? null : CREDENTIAL_VALUE.matcher(text).region(nameEnd, length);
                if (value == null || !value.lookingAt()) {
                    i++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder(length);
                }
                sb.append(text, copied, value.start(1)).append(RedactionKind.CREDENTIAL_KV.marker());
                count(RedactionKind.CREDENTIAL_KV);
                copied = value.end(1);
                i = copied;
            }
            return sb == null ? text : sb.append(text, copied, length).toString();
        }

        /** Where a credential name ends before the separator at {@code separator} (blanks, a quote), or -1. */
        private static int credentialNameEnd(String text, int separator) {
            int end = separator;
            while (end > 0 && isRegexSpace(text.charAt(end - 1))) {
                end--;
            }
            if (end > 0 && (text.charAt(end - 1) == '"' || text.charAt(end - 1) == '\'')) {
                end--;
            }
            for (String name : CREDENTIAL_NAMES) {
                int start = end - name.length();
                if (start >= 0 && text.regionMatches(true, start, name, 0, name.length())
                        && startsName(text, start)) {
                    return end;
                }
            }
            return -1;
        }

        /**
         * Whether a credential name may start at {@code start}: at a word start, after {@code _ - .} or another
         * non-alphanumeric ({@code DB_PASSWORD}), or at a camel-case hump ({@code sessionToken}); not inside a word
         * ({@code chpasswd:} is a command, not a pair).
         */
        private static boolean startsName(String text, int start) {
            if (start == 0) {
                return true;
            }
            char before = text.charAt(start - 1);
            return !Character.isLetterOrDigit(before)
                    || (Character.isLowerCase(before) && Character.isUpperCase(text.charAt(start)));
        }

        /** Java regex's {@code \s}. */
        private static boolean isRegexSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
        }

        private String replaceValue(String text, LabValue value) {
            int at = text.indexOf(value.value());
            if (at < 0) {
                return text;
            }
            StringBuilder sb = new StringBuilder(text.length());
            int from = 0;
            while (at >= 0) {
                sb.append(text, from, at).append(value.kind().marker());
                count(value.kind());
                from = at + value.value().length();
                at = text.indexOf(value.value(), from);
            }
            return sb.append(text, from, text.length()).toString();
        }

        private String replaceRule(String text, Rule rule) {
            if (!rule.mayMatch(text)) {
                return text;
            }
            Matcher m = rule.pattern().matcher(text);
            if (!m.find()) {
                return text;
            }
            StringBuilder sb = new StringBuilder(text.length());
            int from = 0;
            do {
                int start = m.start(rule.secretGroup());
                int end = m.end(rule.secretGroup());
                sb.append(text, from, start).append(rule.kind().marker());
                count(rule.kind());
                from = end;
            } while (m.find());
            return sb.append(text, from, text.length()).toString();
        }
    }
}
