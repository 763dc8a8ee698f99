package dev.pullab.core.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The KCIDB JWT as kcidb-restd-rs verifies it, decoded locally (the signature needs the receiver's secret, so it is
 * not checked here): three base64url parts, an HS256 header, a payload with a numeric {@code exp} in the future and
 * the configured {@code origin}. Nothing of the token appears in a result.
 */
public final class KcidbJwtCheck {

    /** The check's name. */
    public static final String NAME = "kcidb jwt";
    /** A JWT is a few hundred bytes; anything much larger is not one. */
    static final int MAX_JWT_CHARS = 8192;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIX = "set KCIDB_JWT (or UNIFIED_TOKEN, or the stack's KCIDB JWT secret) to a token "
            + "from the KCIDB maintainers for origin ";

    private KcidbJwtCheck() {
    }

    /**
     * @param jwt    the token (never printed)
     * @param origin the configured {@code KCIDB_ORIGIN}
     * @param now    the time the expiry is checked against
     */
    public static Check check(String jwt, String origin, Instant now) {
        String fix = FIX + origin;
        if (jwt == null || jwt.isBlank()) {
            return Check.problem(NAME, "no KCIDB JWT", fix);
        }
        String token = jwt.strip();
        if (token.length() > MAX_JWT_CHARS) {
            return Check.problem(NAME, "the KCIDB JWT is over " + MAX_JWT_CHARS + " characters: not a JWT", fix);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Check.problem(NAME, "the KCIDB JWT is not three base64url parts joined by '.' (header.payload"
                    + ".signature)", fix);
        }
        JsonNode header = decode(parts[0]);
        JsonNode payload = decode(parts[1]);
        if (header == null || !header.isObject()) {
            return Check.problem(NAME, "the KCIDB JWT's header is not base64url JSON", fix);
        }
        if (payload == null || !payload.isObject()) {
            return Check.problem(NAME, "the KCIDB JWT's payload is not base64url JSON", fix);
        }
        String alg = header.path("alg").asText("");
        if (!"HS256".equals(alg)) {
            return Check.problem(NAME, "the KCIDB JWT is signed with '" + printable(alg) + "'; kcidb-restd-rs "
                    + "accepts HS256 only", fix);
        }
        if (parts[2].isEmpty()) {
            return Check.problem(NAME, "the KCIDB JWT has no signature", fix);
        }
        JsonNode exp = payload.get("exp");
        if (exp == null || !exp.canConvertToLong()) {
            return Check.problem(NAME, "the KCIDB JWT has no numeric exp claim (kcidb-restd-rs requires one)", fix);
        }
        Instant expires = Instant.ofEpochSecond(exp.asLong());
        if (!expires.isAfter(now)) {
            return Check.problem(NAME, "the KCIDB JWT expired at " + expires + " (" + ago(Duration.between(expires,
                    now)) + " ago)", "ask the KCIDB maintainers for a new token for origin " + origin
                    + " and set KCIDB_JWT (or update the stack's KCIDB JWT secret)");
        }
        JsonNode claimed = payload.get("origin");
        if (claimed == null || !claimed.isTextual()) {
            return Check.problem(NAME, "the KCIDB JWT carries no origin claim (KCIDB_ORIGIN is " + origin + ")", fix);
        }
        if (!claimed.asText().equals(origin)) {
            return Check.problem(NAME, "the KCIDB JWT is for origin '" + printable(claimed.asText())
                    + "', but KCIDB_ORIGIN is '" + origin + "'", "set KCIDB_ORIGIN to the token's origin, or use "
                    + "a token for origin " + origin);
        }
        return Check.ok(NAME, "HS256, origin " + origin + ", expires " + expires + " (in "
                + ago(Duration.between(now, expires)) + "); signature not checked (the receiver's secret)");
    }

    private static JsonNode decode(String part) {
        try {
            return JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }

    private static String ago(Duration duration) {
        long minutes = duration.toMinutes();
        if (minutes < 120) {
            return Math.max(0, minutes) + " min";
        }
        long hours = duration.toHours();
        return hours < 48 ? hours + " h" : duration.toDays() + " days";
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
