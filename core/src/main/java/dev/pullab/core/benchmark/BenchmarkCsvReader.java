package dev.pullab.core.benchmark;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.pullab.core.text.DecimalNumber;
import java.io.CharArrayReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Reads a {@code benchmark-base*.csv} / {@code benchmark-tip*.csv} file.
 *
 * <p>The header line is required and the column order is free; extra columns are ignored. Required columns are
 * {@code metric, unit, value, more_is_better, kernel_version}; the traceability columns {@code instance_id,
 * instance_type, arch} are optional (the instance id then comes from the file's directory, the arch is
 * {@code unknown}). The file must be UTF-8; a leading byte order mark and CRLF (or CR) line ends are accepted.
 * Every fault names the file and line. A value must be a plain decimal number ({@link DecimalNumber}: no
 * {@code 10f}, {@code 0x1p3}, {@code NaN} or {@code Infinity}) within the double range.
 */
public final class BenchmarkCsvReader {

    /** Columns without which a row cannot be analysed. */
    public static final List<String> REQUIRED_COLUMNS =
            List.of("metric", "unit", "value", "more_is_better", "kernel_version");

    /** The full column set of the contract, in the order the VM tests write it. */
    public static final List<String> ALL_COLUMNS = List.of(
            "metric", "unit", "value", "more_is_better", "kernel_version", "instance_id", "instance_type", "arch");

    private static final String UNKNOWN_ARCH = "unknown";

    /** Jackson's streaming CSV parser alone: no ObjectMapper (its start-up is a third of a cold read of a run). */
    private final CsvFactory factory;
    private final long maxBytes;

    /** A reader of files up to {@link ReadLimits#DEFAULTS}' per-file limit (16 MiB). */
    public BenchmarkCsvReader() {
        this(ReadLimits.DEFAULTS.perFileBytes());
    }

    /** A reader that refuses files over {@code maxBytes}, naming the limit, before decoding any of them. */
    public BenchmarkCsvReader(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the largest benchmark CSV must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.factory = CsvFactory.builder()
                .enable(CsvParser.Feature.TRIM_SPACES)
                .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
                .enable(CsvParser.Feature.ALLOW_COMMENTS)
                .enable(CsvParser.Feature.IGNORE_TRAILING_UNMAPPABLE)
                .build();
    }

    /**
     * Parses one file of a run, or refuses a file that was not read (over a {@link ReadLimits read limit}) with the
     * reason it was not.
     *
     * @throws InvalidInputException naming {@code file.location()} (and the line) on any fault
     */
    public List<BenchmarkSample> read(RunFile file) {
        if (file.notRead().isPresent()) {
            throw new InvalidInputException(file.file().location() + ": " + file.notRead().get());
        }
        return read(file.file(), file.content());
    }

    /**
     * Parses one file. The bytes are decoded once into a character buffer that the CSV parser reads directly (no
     * copy of the whole text); a file over the size limit is refused before that.
     *
     * @throws InvalidInputException naming {@code file.location()} and the line on any fault
     */
    public List<BenchmarkSample> read(BenchmarkFile file, byte[] content) {
        if (content.length > maxBytes) {
            throw new InvalidInputException(file.location() + ": not read: " + content.length
                    + " bytes is over the limit of " + ReadLimits.size(maxBytes) + " per file");
        }
        CharBuffer text = utf8(file, content);
        if (text.length() > 0 && text.charAt(0) == '\uFEFF') {
            text.position(text.position() + 1); // a byte order mark, as some editors and Excel write it
            text = text.slice();
        }
        if (isBlank(text)) {
            throw InvalidInputException.at(file.location(), 1,
                    "empty file; expected a header line " + String.join(",", ALL_COLUMNS));
        }
        List<BenchmarkSample> samples = new ArrayList<>();
        long lastLine = 1;
        try (CsvParser rows = (CsvParser) factory.createParser(
                new CharArrayReader(text.array(), text.arrayOffset() + text.position(), text.remaining()))) {
            rows.setSchema(CsvSchema.emptySchema().withHeader());
            Set<String> columns = null;
            LineCounter lines = new LineCounter(text);
            Map<String, String> shared = new HashMap<>(); // one String per distinct cell value: a few per file
            while (rows.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> row = new HashMap<>();
                while (rows.nextToken() == JsonToken.FIELD_NAME) {
                    String column = rows.currentName();
                    rows.nextToken();
                    row.put(column, rows.getText());
                }
                long line = lines.lineEndingAt(rows.currentLocation().getCharOffset());
                if (columns == null) {
                    columns = header(rows, file);
                }
                samples.add(sample(file, row, line, shared));
                lastLine = line;
            }
            if (samples.isEmpty()) {
                header(rows, file);
                throw InvalidInputException.at(file.location(), 2, "no data rows after the header");
            }
        } catch (JsonProcessingException e) {
            // a read limit (e.g. a value over 20 MB) has no location: it hit the row after the last one read
            JsonLocation where = e.getLocation();
            long line = where == null ? lastLine + 1 : Math.max(1, where.getLineNr());
            throw InvalidInputException.at(file.location(), line, "malformed CSV: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException(file.location() + ": cannot read: " + e.getMessage(), e);
        }
        return samples;
    }

    /**
     * Line numbers of rows. Jackson's location after a row is the start of the next line and its line counter is
     * not exact around skipped blank lines, so count the newlines up to the row's end, incrementally.
     */
    private static final class LineCounter {
        private final CharSequence text;
        private int scanned;
        private long newlines;

        LineCounter(CharSequence text) {
            this.text = text;
        }

        /** The 1-based line of the row whose terminator ends just before {@code endOffset}. */
        long lineEndingAt(long endOffset) {
            int end = (int) Math.min(text.length(), Math.max(scanned, endOffset - 1));
            for (; scanned < end; scanned++) {
                char c = text.charAt(scanned);
                // LF, CRLF (counted at its LF) and a lone CR each end a line, as the CSV parser reads them
                if (c == '\n' || c == '\r' && (scanned + 1 >= text.length() || text.charAt(scanned + 1) != '\n')) {
                    newlines++;
                }
            }
            return newlines + 1;
        }
    }

    /** The content as UTF-8, or an error naming the line and offset of the first byte that is not UTF-8. */
    private static CharBuffer utf8(BenchmarkFile file, byte[] content) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            long line = 1;
            for (int i = 0; i < offset; i++) {
                if (content[i] == '\n') {
                    line++;
                }
            }
            throw InvalidInputException.at(file.location(), line, String.format(Locale.ROOT,
                    "not UTF-8: byte 0x%02X at offset %d; benchmark CSVs must be UTF-8 text", content[offset] & 0xff,
                    offset));
        }
        return out.flip();
    }

    private static boolean isBlank(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> header(CsvParser parser, BenchmarkFile file) {
        Set<String> columns = new HashSet<>();
        for (CsvSchema.Column column : parser.getSchema()) {
            if (!columns.add(column.getName())) {
                throw InvalidInputException.at(file.location(), 1, "duplicate column " + column.getName()
                        + " in header: which one to read is ambiguous");
            }
        }
        List<String> missing = REQUIRED_COLUMNS.stream().filter(c -> !columns.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw InvalidInputException.at(file.location(), 1, "missing column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " in header (expected " + String.join(",", ALL_COLUMNS) + ")");
        }
        return columns;
    }

    private static BenchmarkSample sample(BenchmarkFile file, Map<String, String> row, long line,
            Map<String, String> shared) {
        String metric = shared.computeIfAbsent(required(row, "metric", file, line), v -> v);
        String valueText = required(row, "value", file, line);
        OptionalDouble parsed = DecimalNumber.parse(valueText);
        if (parsed.isEmpty()) {
            throw InvalidInputException.at(file.location(), line, "value '" + valueText + "' of metric '" + metric
                    + "' is not a number (expected " + DecimalNumber.describeGrammar() + ")");
        }
        double value = parsed.getAsDouble();
        if (!Double.isFinite(value)) {
            throw InvalidInputException.at(file.location(), line,
                    "value '" + valueText + "' of metric '" + metric + "' is not a finite number");
        }
        return new BenchmarkSample(
                file.test(),
                file.role(),
                metric,
                shared.computeIfAbsent(optional(row, "unit", ""), v -> v),
                value,
                moreIsBetter(required(row, "more_is_better", file, line), file, line),
                shared.computeIfAbsent(required(row, "kernel_version", file, line), v -> v),
                shared.computeIfAbsent(optional(row, "instance_id", file.instanceId()), v -> v),
                shared.computeIfAbsent(optional(row, "instance_type", ""), v -> v),
                shared.computeIfAbsent(optional(row, "arch", UNKNOWN_ARCH), v -> v),
                file.location() + ":" + line);
    }

    private static boolean moreIsBetter(String text, BenchmarkFile file, long line) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1":
                return true;
            case "false", "no", "0":
                return false;
            default:
                throw InvalidInputException.at(file.location(), line,
                        "more_is_better '" + text + "' is not true or false");
        }
    }

    private static String required(Map<String, String> row, String column, BenchmarkFile file, long line) {
        String value = row.get(column);
        if (value == null || value.isEmpty()) {
            throw InvalidInputException.at(file.location(), line, "empty " + column);
        }
        return value;
    }

    private static String optional(Map<String, String> row, String column, String fallback) {
        String value = row.get(column);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
