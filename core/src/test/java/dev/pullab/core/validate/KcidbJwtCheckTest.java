package dev.pullab.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pullab.testkit.KcidbReceiverDouble;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the KCIDB JWT, decoded locally: well formed, HS256, not expired, for the configured origin")
class KcidbJwtCheckTest {

    private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
    private static final String SECRET = "receiver-secret";

    private static String jwt(Map<String, Object> claims) {
        return KcidbReceiverDouble.jwt(SECRET, claims);
    }

    @Test
    @DisplayName("a token for the origin, expiring later, is ok, and the result shows neither token nor secret")
    void givenValidToken_whenChecked_thenOkWithoutTheToken() {
        String token = jwt(Map.of("origin", "pull_labs", "exp", NOW.getEpochSecond() + 7200));

        Check check = KcidbJwtCheck.check(token, "pull_labs", NOW);

        assertThat(check.status()).isEqualTo(Check.Status.OK);
        assertThat(check.detail()).contains("origin pull_labs", "expires 2026-12-05T10:00:00Z")
                .doesNotContain(token).doesNotContain(token.split("\\.")[1]);
    }

    @Test
    @DisplayName("an expired token is a problem saying when it expired and how to get a new one")
    void givenExpiredToken_whenChecked_thenProblemNamingTheExpiry() {
        Check check = KcidbJwtCheck.check(jwt(Map.of("origin", "pull_labs", "exp", NOW.getEpochSecond() - 3600)),
                "pull_labs", NOW);

        assertThat(check.isProblem()).isTrue();
        assertThat(check.detail()).isEqualTo("the KCIDB JWT expired at 2026-12-05T07:00:00Z (60 min ago)");
        assertThat(check.fix()).contains("new token for origin pull_labs", "KCIDB_JWT");
    }

    @Test
    @DisplayName("a token for another origin is a problem naming both origins")
    void givenOtherOrigin_whenChecked_thenProblemNamingBoth() {
        Check check = KcidbJwtCheck.check(jwt(Map.of("origin", "other_lab", "exp", NOW.getEpochSecond() + 60)),
                "pull_labs", NOW);

        assertThat(check.isProblem()).isTrue();
        assertThat(check.detail()).isEqualTo("the KCIDB JWT is for origin 'other_lab', but KCIDB_ORIGIN is "
                + "'pull_labs'");
    }

    @Test
    @DisplayName("a token without exp is a problem (kcidb-restd-rs requires one)")
    void givenNoExp_whenChecked_thenProblem() {
        assertThat(KcidbJwtCheck.check(jwt(Map.of("origin", "pull_labs")), "pull_labs", NOW).detail())
                .contains("no numeric exp claim");
    }

    @Test
    @DisplayName("a token signed with another algorithm than HS256 is a problem")
    void givenOtherAlgorithm_whenChecked_thenProblem() {
        String token = KcidbReceiverDouble.jwt(SECRET, "none", Map.of("origin", "pull_labs", "exp",
                NOW.getEpochSecond() + 60));

        assertThat(KcidbJwtCheck.check(token, "pull_labs", NOW).detail()).contains("signed with 'none'");
    }

    @Test
    @DisplayName("something that is not a JWT is a problem that does not echo it")
    void givenNotAJwt_whenChecked_thenProblemWithoutEcho() {
        Check check = KcidbJwtCheck.check("not-a-jwt-secret-value", "pull_labs", NOW);

        assertThat(check.isProblem()).isTrue();
        assertThat(check.detail()).contains("not three base64url parts").doesNotContain("not-a-jwt-secret-value");
        assertThat(KcidbJwtCheck.check("a.!!!.c", "pull_labs", NOW).detail()).contains("not base64url JSON");
    }
}
