package dev.pullab.cli;

import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import dev.pullab.core.config.KernelCiAccess;
import dev.pullab.core.config.SecretLookup;
import dev.pullab.core.http.HttpCallException;
import dev.pullab.core.http.RetryPolicy;
import dev.pullab.core.http.RetryingHttp;
import dev.pullab.core.kcidb.KcidbSettings;
import dev.pullab.core.kernelci.KernelCiClient;
import dev.pullab.core.kernelci.KernelCiUser;
import dev.pullab.core.validate.Check;
import dev.pullab.core.validate.KcidbJwtCheck;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code pullab validate}'s checks of the lab's peers: the KernelCI API (it answers; the token is accepted by
 * {@code /whoami}; its user may edit nodes of the runtime) and KCIDB (it answers; the JWT is well formed, not expired,
 * for the configured origin). One attempt each within a bounded timeout; tokens are never printed.
 */
final class PeerChecks {

    /** The answer to a probe is not read beyond this. */
    static final int MAX_PROBE_BYTES = 64 * 1024;

    private final java.util.Map<String, String> env;
    private final ConfigSource config;
    private final SecretLookup secrets;
    private final Optional<String> kernelciTokenSecret;
    private final Optional<String> kcidbJwtSecret;
    private final RetryPolicy once;
    private final Instant now;

    /**
     * @param env the settings the functions read (KERNELCI_*, KCIDB_*, UNIFIED_TOKEN, PULLAB_BASE_CONFIG)
     */
    PeerChecks(java.util.Map<String, String> env, SecretLookup secrets, Optional<String> kernelciTokenSecret,
            Optional<String> kcidbJwtSecret, Duration timeout, Instant now) {
        this.env = java.util.Map.copyOf(env);
        this.config = ConfigSource.of(this.env);
        this.secrets = secrets;
        this.kernelciTokenSecret = kernelciTokenSecret;
        this.kcidbJwtSecret = kcidbJwtSecret;
        this.once = new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), timeout);
        this.now = now;
    }

    List<Check> kernelci() {
        List<Check> checks = new ArrayList<>();
        KernelCiAccess access;
        try {
            access = KernelCiAccess.resolve(withSecret("KERNELCI_API_TOKEN_SECRET_ARN", kernelciTokenSecret),
                    secrets);
        } catch (ConfigurationException e) {
            checks.add(Check.problem("kernelci api", e.getMessage(), "set KERNELCI_API_BASE_URI, e.g. "
                    + "https://staging.kernelci.org:9000/latest"));
            return checks;
        } catch (RuntimeException e) {
            checks.add(Check.problem("kernelci token", "cannot read the KernelCI token secret: "
                    + CliErrors.describe(e), "check KERNELCI_API_TOKEN_SECRET_ARN and the caller's "
                    + "secretsmanager:GetSecretValue on it"));
            return checks;
        }
        URI base = access.apiBaseUri();
        checks.add(answers("kernelci api", base, "check KERNELCI_API_BASE_URI (e.g. "
                + "https://staging.kernelci.org:9000/latest) and the network path to it"));
        if (access.apiToken().isEmpty()) {
            checks.add(Check.problem("kernelci token", "no KernelCI API token", "set KERNELCI_API_TOKEN (or "
                    + "UNIFIED_TOKEN), or give the stack its KernelCI token secret"));
            return checks;
        }
        KernelCiUser user;
        try {
            user = new KernelCiClient(base, access.apiToken(), new RetryingHttp("KernelCI API", once)).whoami();
        } catch (HttpCallException e) {
            int status = e.status().orElse(0);
            if (status == 401 || status == 403) {
                checks.add(Check.problem("kernelci token", "the token is refused by " + base + "/whoami (HTTP "
                        + status + ")", "set KERNELCI_API_TOKEN to a valid token of the lab's KernelCI account "
                        + "(ask the KernelCI admins for one)"));
            } else {
                checks.add(Check.problem("kernelci token", "GET " + base + "/whoami failed: "
                        + CliErrors.describe(e), "check KERNELCI_API_BASE_URI and that the API is up"));
            }
            return checks;
        }
        checks.add(Check.ok("kernelci token", "accepted by " + base + "/whoami: user " + user.username()));
        Optional<String> runtime = config.env("KERNELCI_RUNTIME_NAME");
        if (runtime.isEmpty()) {
            checks.add(Check.problem("kernelci node editor", "KERNELCI_RUNTIME_NAME is not set: which runtime's "
                    + "jobs this lab takes", "set KERNELCI_RUNTIME_NAME, e.g. pull-labs-demo"));
        } else if (user.mayEditNodesOf(runtime.get())) {
            checks.add(Check.ok("kernelci node editor", "user " + user.username() + " may edit nodes of runtime "
                    + runtime.get() + (user.superuser() ? " (superuser)" : " (groups: " + String.join(", ",
                            user.groups()) + ")")));
        } else {
            checks.add(Check.problem("kernelci node editor", "user " + user.username() + " may not edit nodes of "
                    + "runtime " + runtime.get() + " (groups: " + (user.groups().isEmpty() ? "none"
                            : String.join(", ", user.groups())) + ")", "ask the KernelCI admins to add "
                    + user.username() + " to group " + KernelCiUser.editorGroup(runtime.get())));
        }
        return checks;
    }

    List<Check> kcidb() {
        List<Check> checks = new ArrayList<>();
        ConfigSource source = config;
        boolean jwtGiven = config.env(KcidbSettings.ENV_JWT).isPresent() || config.env(KcidbSettings.ENV_REST)
                .isPresent() || config.env(KcidbSettings.ENV_UNIFIED_TOKEN).isPresent()
                || config.config(KcidbSettings.KEY_JWT).isPresent();
        if (!jwtGiven && kcidbJwtSecret.isPresent()) {
            try {
                java.util.Map<String, String> with = new java.util.HashMap<>(env);
                with.put(KcidbSettings.ENV_JWT, secrets.value(kcidbJwtSecret.get()));
                source = ConfigSource.of(with);
            } catch (RuntimeException e) {
                checks.add(Check.problem("kcidb jwt", "cannot read the KCIDB JWT secret: " + CliErrors.describe(e),
                        "check KCIDB_JWT_SECRET_ARN and the caller's secretsmanager:GetSecretValue on it"));
                return checks;
            }
        }
        KcidbSettings settings;
        try {
            settings = KcidbSettings.resolve(source);
        } catch (ConfigurationException e) {
            checks.add(Check.problem("kcidb settings", e.getMessage(), "set KCIDB_SUBMIT_URL, KCIDB_JWT and "
                    + "KCIDB_ORIGIN (or KCIDB_REST and KCIDB_ORIGIN)"));
            return checks;
        }
        checks.add(answers("kcidb api", settings.baseUrl(), "check KCIDB_SUBMIT_URL (e.g. "
                + "https://db.kernelci.org/submit) and the network path to it"));
        checks.add(KcidbJwtCheck.check(settings.jwt(), settings.origin(), now));
        return checks;
    }

    /**
     * The settings with the lab's secret ARN (from the stack) added when the environment names none, so the token
     * is read from it as the functions do.
     */
    private ConfigSource withSecret(String variable, Optional<String> arn) {
        if (config.env(variable).isPresent() || arn.isEmpty()) {
            return config;
        }
        java.util.Map<String, String> with = new java.util.HashMap<>(env);
        with.put(variable, arn.get());
        return ConfigSource.of(with);
    }

    /** Whether anything answers HTTP at {@code url} within the timeout (any status counts: it is up). */
    private Check answers(String name, URI url, String fix) {
        try {
            int status = new RetryingHttp(name, once).send(HttpRequest.newBuilder(url).GET(), MAX_PROBE_BYTES)
                    .statusCode();
            return Check.ok(name, url + " answers (HTTP " + status + ")");
        } catch (HttpCallException e) {
            if (e.status().isPresent()) {
                return Check.ok(name, url + " answers (HTTP " + e.status().getAsInt() + ")");
            }
            return Check.problem(name, url + " does not answer within " + once.requestTimeout().toSeconds()
                    + " s: " + CliErrors.describe(e), fix);
        }
    }
}
