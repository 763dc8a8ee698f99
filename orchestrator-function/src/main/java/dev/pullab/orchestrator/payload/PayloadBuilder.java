package dev.pullab.orchestrator.payload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pullab.core.run.StageParams;
import dev.pullab.core.run.VmTestSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a test's payload zip, the {@code <name>_test_payload.zip} the VM client unpacks into its test directory.
 *
 * <p>The zip's root holds the test directory's files (subdirectories such as {@code lib/} kept, symbolic links
 * resolved at build time), {@code test-vm-client.sh}, and when the test has parameters {@code params.env} (sorted,
 * shell-quoted {@code NAME='value'} lines to {@code source}) and {@code params.json} (the same map as a JSON object).
 * A generated file replaces a test file of the same name.
 *
 * <p>The zip is reproducible: entries sorted by path, no directory entries, one fixed timestamp (a DOS local time,
 * so it does not depend on the time zone), no comments, so the same input gives the same bytes (with the same JDK's
 * deflater) and re-uploads are idempotent.
 *
 * <p>Unix modes: the JDK's {@link ZipOutputStream} writes neither a Unix "version made by" nor external attributes,
 * so the finished archive's central directory is patched: every entry is marked as made on Unix, {@code *.sh} files
 * with mode {@code 0755}, other files {@code 0644}. Info-ZIP {@code unzip} (what the client uses) restores these
 * modes; the client also runs {@code chmod +x} on the top-level {@code *.sh}, so stages stay executable with an
 * extractor that ignores modes ({@code lib/*.sh} are sourced, not executed).
 */
public final class PayloadBuilder {

    /** Name of the shell parameters file in the payload. */
    public static final String PARAMS_ENV = "params.env";
    /** Name of the JSON parameters file in the payload. */
    public static final String PARAMS_JSON = "params.json";
    /**
     * The parameter names allowed: shell variable names in upper case (they become variables of every stage), less
     * the names {@link StageParams} reserves ({@code PATH}, {@code LD_*}, {@code AWS_*}, ...).
     */
    public static final Pattern PARAM_NAME = StageParams.NAME;

    /** Timestamp of every entry: the earliest DOS time, a common choice for reproducible archives. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    private static final int MODE_REGULAR_FILE = 0100000;
    private static final int MODE_EXECUTABLE = 0755;
    private static final int MODE_PLAIN = 0644;
    private static final int HOST_UNIX = 3;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int END_OF_CENTRAL_DIRECTORY_SIZE = 22;
    private static final int CENTRAL_DIRECTORY_HEADER = 0x02014b50;
    private static final int CENTRAL_DIRECTORY_HEADER_SIZE = 46;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VmTestBundle tests;

    /** A builder for the given bundled tests. */
    public PayloadBuilder(VmTestBundle tests) {
        this.tests = Objects.requireNonNull(tests, "tests");
    }

    /**
     * The payload zip of {@code test}.
     *
     * @throws IllegalArgumentException when the test is unknown (the message names the known ones), or a parameter
     *                                  name is not a shell variable name or is reserved ({@link StageParams}), or a
     *                                  value holds a NUL character
     */
    public byte[] zip(VmTestSpec test) {
        Objects.requireNonNull(test, "test");
        return zip(test, tests.files(test.name()));
    }

    /**
     * The payload zip of {@code test} made of {@code testFiles} (a test of the storage bucket, see
     * {@link VmTestCatalog}) and the bundled client.
     *
     * @param testFiles path relative to the test directory → content
     * @throws IllegalArgumentException when a parameter name is not {@code PULLAB_[A-Z0-9_]+} or a value holds a NUL
     *                                  character
     */
    public byte[] zip(VmTestSpec test, SortedMap<String, byte[]> testFiles) {
        Objects.requireNonNull(test, "test");
        SortedMap<String, byte[]> entries = new TreeMap<>(testFiles);
        entries.put(VmTestBundle.CLIENT, tests.client());
        if (!test.params().isEmpty()) {
            entries.put(PARAMS_ENV, paramsEnv(test.params()).getBytes(StandardCharsets.UTF_8));
            entries.put(PARAMS_JSON, paramsJson(test.params()).getBytes(StandardCharsets.UTF_8));
        }
        return withUnixModes(write(entries));
    }

    /**
     * {@code params.env}: one {@code NAME='value'} line per parameter, sorted by name, each value single-quoted
     * ({@code '} written as {@code '\''}), so that sourcing it with bash assigns the values verbatim (no expansion,
     * no command substitution, newlines kept).
     *
     * @throws IllegalArgumentException when a name is not a shell variable name or is reserved ({@link StageParams}),
     *                                  or a value holds a NUL character
     */
    public static String paramsEnv(Map<String, String> params) {
        StringBuilder env = new StringBuilder();
        new TreeMap<>(validated(params)).forEach((name, value) ->
                env.append(name).append("='").append(value.replace("'", "'\\''")).append("'\n"));
        return env.toString();
    }

    /**
     * {@code params.json}: the parameters as one JSON object, keys sorted, pretty-printed, with a final newline.
     *
     * @throws IllegalArgumentException as {@link #paramsEnv(Map)}
     */
    public static String paramsJson(Map<String, String> params) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(new TreeMap<>(validated(params))) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + PARAMS_JSON + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> validated(Map<String, String> params) {
        params.forEach((name, value) -> {
            StageParams.refusal(name, true).ifPresent(why -> {
                throw new IllegalArgumentException("parameter name '" + name + "' is not allowed in " + PARAMS_ENV
                        + ": " + why);
            });
            if (value == null || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("parameter " + name + " has no value or holds a NUL character, "
                        + "which a shell variable cannot");
            }
        });
        return params;
    }

    private static byte[] write(SortedMap<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            zip.setLevel(9);
            for (Map.Entry<String, byte[]> file : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setTimeLocal(ENTRY_TIME);
                entry.setMethod(ZipEntry.DEFLATED);
                zip.putNextEntry(entry);
                zip.write(file.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a payload zip in memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Marks every central directory entry as made on Unix with a regular-file mode: {@code 0755} for {@code *.sh},
     * else {@code 0644}. No checksum covers the central directory, so the archive stays valid.
     */
    private static byte[] withUnixModes(byte[] zip) {
        ByteBuffer buffer = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int end = zip.length - END_OF_CENTRAL_DIRECTORY_SIZE;
        if (end < 0 || buffer.getInt(end) != END_OF_CENTRAL_DIRECTORY) {
            throw new IllegalStateException("unexpected zip layout: no end of central directory record at the end");
        }
        int count = Short.toUnsignedInt(buffer.getShort(end + 10));
        int position = buffer.getInt(end + 16);
        for (int i = 0; i < count; i++) {
            if (buffer.getInt(position) != CENTRAL_DIRECTORY_HEADER) {
                throw new IllegalStateException("unexpected zip layout: no central directory header at " + position);
            }
            int nameLength = Short.toUnsignedInt(buffer.getShort(position + 28));
            int extraLength = Short.toUnsignedInt(buffer.getShort(position + 30));
            int commentLength = Short.toUnsignedInt(buffer.getShort(position + 32));
            String name = new String(zip, position + CENTRAL_DIRECTORY_HEADER_SIZE, nameLength,
                    StandardCharsets.UTF_8);
            int permissions = name.endsWith(".sh") ? MODE_EXECUTABLE : MODE_PLAIN;
            zip[position + 5] = (byte) HOST_UNIX; // high byte of "version made by": the host system
            buffer.putInt(position + 38, (MODE_REGULAR_FILE | permissions) << 16); // external file attributes
            position += CENTRAL_DIRECTORY_HEADER_SIZE + nameLength + extraLength + commentLength;
        }
        return zip;
    }
}
