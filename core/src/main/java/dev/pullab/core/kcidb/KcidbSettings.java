package dev.pullab.core.kcidb;

import dev.pullab.core.config.ConfigSource;
import dev.pullab.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to submit to KCIDB. {@link #toString()} never shows the JWT.
 *
 * @param submitUrl the kcidb-restd-rs {@code /submit} URL, without user info
 * @param jwt       the bearer token (HS256, signed with the receiver's secret)
 * @param origin    the {@code origin} of the submitted rows, matching {@code ^[a-z0-9_]+$}
 */
public record KcidbSettings(URI submitUrl, String jwt, String origin) {

    public static final String ENV_SUBMIT_URL = "KCIDB_SUBMIT_URL";
    public static final String ENV_JWT = "KCIDB_JWT";
    public static final String ENV_REST = "KCIDB_REST";
    public static final String ENV_UNIFIED_TOKEN = "UNIFIED_TOKEN";
    public static final String ENV_ORIGIN = "KCIDB_ORIGIN";
    public static final String KEY_SUBMIT_URL = "kcidb_submit_url";
    public static final String KEY_JWT = "kcidb_jwt";
    public static final String KEY_ORIGIN = "kcidb_origin";

    private static final String REST_FORM = "https://<token>@host[:port][/path]";

    public KcidbSettings {
        Objects.requireNonNull(submitUrl, "submitUrl");
        if (submitUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the KCIDB submit URL must not carry user info");
        }
        if (jwt == null || jwt.isBlank()) {
            throw new IllegalArgumentException("the KCIDB JWT must not be blank");
        }
        KcidbRevisionBuilder.requireValidOrigin(origin);
    }

    /**
     * Resolves the settings like pullab_cloud:
     * <ul>
     *   <li>URL: {@code KCIDB_SUBMIT_URL}, else the URL of {@code KCIDB_REST}, else {@code kernelci.kcidb_submit_url};
     *   </li>
     *   <li>JWT: {@code KCIDB_JWT}, else the token of {@code KCIDB_REST}, else {@code UNIFIED_TOKEN}, else
     *       {@code kernelci.kcidb_jwt};</li>
     *   <li>origin: {@code KCIDB_ORIGIN}, else {@code kernelci.kcidb_origin} (no default).</li>
     * </ul>
     * {@code KCIDB_REST} is kci-dev's {@code https://<token>@host[:port][/path]}: the token is the user name, the path
     * is made to end in {@code /submit} and the stored URL has no user info; without a token it is ignored, as
     * kci-dev does. A token never travels to a receiver other than the one it came with: {@code KCIDB_SUBMIT_URL}
     * with the token of a {@code KCIDB_REST} naming another host, or {@code KCIDB_JWT} with the URL of
     * {@code KCIDB_REST}, is refused (set the pair {@code KCIDB_SUBMIT_URL} + {@code KCIDB_JWT}, or
     * {@code KCIDB_REST} alone).
     *
     * @throws ConfigurationException when a value is missing ({@code Missing required configuration:
     *                                kernelci.kcidb_jwt ...}) or malformed; the message never contains a token
     */
    public static KcidbSettings resolve(ConfigSource source) {
        Optional<RestUrl> rest = source.env(ENV_REST).flatMap(KcidbSettings::parseRest);
        refuseMixedSources(source, rest);
        URI submitUrl = source.env(ENV_SUBMIT_URL).map(url -> parseUrl(url, ENV_SUBMIT_URL))
                .or(() -> rest.map(RestUrl::url))
                .or(() -> source.config(KEY_SUBMIT_URL).map(url -> parseUrl(url, "kernelci." + KEY_SUBMIT_URL)))
                .orElseThrow(() -> ConfigurationException.missing(KEY_SUBMIT_URL, ENV_SUBMIT_URL));
        String jwt = source.env(ENV_JWT)
                .or(() -> rest.map(RestUrl::token))
                .or(() -> source.env(ENV_UNIFIED_TOKEN))
                .or(() -> source.config(KEY_JWT))
                .orElseThrow(() -> ConfigurationException.missing(KEY_JWT, ENV_JWT));
        String origin = source.get(ENV_ORIGIN, KEY_ORIGIN)
                .orElseThrow(() -> ConfigurationException.missing(KEY_ORIGIN, ENV_ORIGIN));
        try {
            KcidbRevisionBuilder.requireValidOrigin(origin);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage() + " (set " + ENV_ORIGIN + " or kernelci." + KEY_ORIGIN
                    + ")");
        }
        return new KcidbSettings(submitUrl, jwt, origin);
    }

    /**
     * URL and token come from one source: a {@code KCIDB_REST} token is never sent to {@code KCIDB_SUBMIT_URL}'s
     * host when that is another receiver, and a {@code KCIDB_JWT} is never sent to {@code KCIDB_REST}'s host.
     */
    private static void refuseMixedSources(ConfigSource source, Optional<RestUrl> rest) {
        if (rest.isEmpty()) {
            return;
        }
        Optional<URI> explicit = source.env(ENV_SUBMIT_URL).map(url -> parseUrl(url, ENV_SUBMIT_URL));
        boolean explicitJwt = source.env(ENV_JWT).isPresent();
        if (explicit.isPresent() && !explicitJwt && !sameReceiver(explicit.get(), rest.get().url())) {
            throw new ConfigurationException(ENV_SUBMIT_URL + " (" + hostAndPort(explicit.get()) + ") and "
                    + ENV_REST + " (" + hostAndPort(rest.get().url()) + ") name different KCIDB receivers, and the "
                    + "token would come from " + ENV_REST + ": set " + ENV_SUBMIT_URL + " with " + ENV_JWT
                    + ", or " + ENV_REST + " alone");
        }
        if (explicit.isEmpty() && explicitJwt) {
            throw new ConfigurationException(ENV_JWT + " is set, but the URL would come from " + ENV_REST + " ("
                    + hostAndPort(rest.get().url()) + "), which carries its own token: set " + ENV_SUBMIT_URL
                    + " with " + ENV_JWT + ", or " + ENV_REST + " alone");
        }
    }

    private static boolean sameReceiver(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** The receiver's base URL: the submit URL without its last path segment ({@code /submit}). */
    public URI baseUrl() {
        String path = Optional.ofNullable(submitUrl.getRawPath()).orElse("");
        String base = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        return URI.create(submitUrl.getScheme() + "://" + submitUrl.getRawAuthority() + base);
    }

    @Override
    public String toString() {
        return "KcidbSettings[submitUrl=" + submitUrl + ", jwt=<redacted>, origin=" + origin + "]";
    }

    private record RestUrl(URI url, String token) {
        @Override
        public String toString() {
            return "RestUrl[" + url + "]";
        }
    }

    /** kci-dev's {@code _parse_kcidb_rest_env}; empty when the URL names no token. */
    private static Optional<RestUrl> parseRest(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(ENV_REST + " is not a URL of the form " + REST_FORM);
        }
        if (uri.getRawAuthority() == null || uri.getHost() == null) {
            throw new ConfigurationException(ENV_REST + " is not a URL of the form " + REST_FORM);
        }
        if (uri.getRawUserInfo() == null) {
            return Optional.empty();
        }
        String userInfo = uri.getRawUserInfo();
        String token = userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) : userInfo;
        if (token.isEmpty()) {
            return Optional.empty();
        }
        String path = Optional.ofNullable(uri.getRawPath()).filter(p -> !p.isEmpty()).orElse("/");
        if (!path.endsWith("/submit")) {
            path = path.replaceAll("/+$", "") + "/submit";
        }
        String url = uri.getScheme() + "://" + hostAndPort(uri) + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return Optional.of(new RestUrl(parseUrl(url, ENV_REST), token));
    }

    private static String hostAndPort(URI uri) {
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** An absolute http(s) URL; user info, if any, is dropped (tokens travel in the header only). */
    private static URI parseUrl(String value, String name) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(name + " is not a valid URL");
        }
        String scheme = Optional.ofNullable(uri.getScheme()).map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ConfigurationException(name + " must be an absolute http(s) URL, e.g. "
                    + "https://db.kernelci.org/submit");
        }
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        return URI.create(scheme + "://" + hostAndPort(uri) + Optional.ofNullable(uri.getRawPath()).orElse("")
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }
}
