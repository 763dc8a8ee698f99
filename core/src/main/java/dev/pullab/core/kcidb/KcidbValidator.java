package dev.pullab.core.kcidb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.DateTimeFormat;
import com.networknt.schema.format.Format;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.PathType;
import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks KCIDB revisions against the kcidb-io v5.3 JSON schema ({@code kcidb/kcidb_io_v05_03.schema.json}, draft-07)
 * the way KCIDB's ingester does ({@code Draft7Validator} with its format checker), so that what pullab sends is what
 * KCIDB keeps: kcidb-restd-rs accepts any JSON and only the asynchronous ingester validates.
 *
 * <p>Format assertions are on: {@code uri} must be an absolute RFC 3986 URI and {@code date-time} an RFC 3339
 * date-time with a UTC offset ({@code 2026-05-20T10:20:00.000000} is rejected, {@code ...+00:00} accepted). Three
 * adaptations make networknt's validator read the schema as Python's {@code jsonschema} does:
 * <ul>
 *   <li>the schema's patterns use {@code \0} (NUL) as in ECMA-262 and Python; {@code java.util.regex} reads it as an
 *       octal escape and fails, so {@code \0} is rewritten to {@code \x00};</li>
 *   <li>{@code $defs} (a 2019-09 keyword the draft-07 schema uses for its {@code $ref} targets) is declared as a
 *       non-validating keyword instead of being warned about on every load;</li>
 *   <li>{@code date-time} also requires the {@code T} separator: networknt accepts a space, Python's
 *       {@code rfc3339-validator} (what KIO uses) does not.</li>
 * </ul>
 */
public final class KcidbValidator {

    /** Classpath location of the schema, copied verbatim from kcidb-io (plus {@code $schema}). */
    public static final String SCHEMA_RESOURCE = "/kcidb/kcidb_io_v05_03.schema.json";

    /** Immutable once built; networknt schemas are thread-safe. */
    private static final Schema SCHEMA = loadSchema();

    private KcidbValidator() {
    }

    /**
     * Every way the revision breaks the schema, each as {@code <JSON path>: <problem>}, e.g.
     * {@code $.tests[0].status: does not have a value in the enumeration [...]} or
     * {@code $.tests[0]: required property 'build_id' not found}; empty when it is valid.
     */
    public static List<String> validate(JsonNode revision) {
        Objects.requireNonNull(revision, "revision");
        Set<String> problems = new LinkedHashSet<>();
        for (com.networknt.schema.Error error : SCHEMA.validate(revision)) {
            problems.add(error.getInstanceLocation() + ": " + error.getMessage());
        }
        return List.copyOf(problems);
    }

    /**
     * @throws InvalidKcidbPayloadException listing the problems when the revision is not valid
     */
    public static void requireValid(JsonNode revision) {
        List<String> problems = validate(revision);
        if (!problems.isEmpty()) {
            throw new InvalidKcidbPayloadException(problems);
        }
    }

    private static Schema loadSchema() {
        Dialect draft7 = Dialect.builder(Dialects.getDraft7())
                .keyword(new NonValidationKeyword("$defs"))
                .format(new RfcDateTime())
                .build();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_PATH)
                .regularExpressionFactory(new NulEscapeRegularExpressions())
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(draft7, b -> b.schemaRegistryConfig(config));
        try (InputStream in = KcidbValidator.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("KCIDB schema resource missing from the classpath: " + SCHEMA_RESOURCE);
            }
            JsonNode schemaJson = new ObjectMapper().readTree(in);
            Schema schema = registry.getSchema(schemaJson);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read KCIDB schema " + SCHEMA_RESOURCE, e);
        }
    }

    /** JDK regular expressions, with ECMA-262's {@code \0} (NUL, not followed by a digit) rewritten to {@code \x00}. */
    private static final class NulEscapeRegularExpressions implements RegularExpressionFactory {
        @Override
        public RegularExpression getRegularExpression(String regex) {
            return JDKRegularExpressionFactory.getInstance().getRegularExpression(rewriteNulEscapes(regex));
        }
    }

    static String rewriteNulEscapes(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 8);
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c != '\\' || i + 1 >= regex.length()) {
                out.append(c);
                continue;
            }
            char next = regex.charAt(i + 1);
            boolean nul = next == '0' && (i + 2 >= regex.length() || !Character.isDigit(regex.charAt(i + 2)));
            out.append(nul ? "\\x00" : "\\" + next);
            i++;
        }
        return out.toString();
    }

    /** networknt's RFC 3339 check plus the {@code T} separator Python's {@code rfc3339-validator} insists on. */
    private static final class RfcDateTime implements Format {
        private final DateTimeFormat delegate = new DateTimeFormat();

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public String getMessageKey() {
            return delegate.getMessageKey();
        }

        @Override
        public boolean matches(ExecutionContext executionContext, String value) {
            return value.length() > 10 && (value.charAt(10) == 'T' || value.charAt(10) == 't')
                    && delegate.matches(executionContext, value);
        }
    }
}
