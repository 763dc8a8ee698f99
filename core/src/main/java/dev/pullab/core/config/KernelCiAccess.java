package dev.pullab.core.config;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach the KernelCI API: {@code KERNELCI_API_BASE_URI} / {@code api_base_uri}, and the token from
 * {@code KERNELCI_API_TOKEN}, the Secrets Manager secret {@code KERNELCI_API_TOKEN_SECRET_ARN}, {@code UNIFIED_TOKEN}
 * or {@code api_token}, in that order (pullab_cloud's wiring guide, plus the secret in AWS).
 *
 * @param apiBaseUri the API root, e.g. {@code https://staging.kernelci.org:9000/latest}
 * @param apiToken   bearer token; writes need it
 */
public record KernelCiAccess(URI apiBaseUri, Optional<String> apiToken) {

    /**
     * @throws ConfigurationException when the URL is missing or not http(s)
     */
    public static KernelCiAccess resolve(ConfigSource source, SecretLookup secrets) {
        String text = source.get("KERNELCI_API_BASE_URI", "api_base_uri")
                .orElseThrow(() -> ConfigurationException.missing("api_base_uri", "KERNELCI_API_BASE_URI"));
        Optional<String> token = source.env("KERNELCI_API_TOKEN")
                .or(() -> source.env("KERNELCI_API_TOKEN_SECRET_ARN").map(secrets::value))
                .or(() -> source.env("UNIFIED_TOKEN"))
                .or(() -> source.config("api_token"));
        return new KernelCiAccess(uri(text), token);
    }

    /** The token, or pullab_cloud's missing-configuration error. */
    public String requireToken() {
        return apiToken.orElseThrow(() -> ConfigurationException.missing("api_token", "KERNELCI_API_TOKEN"));
    }

    private static URI uri(String text) {
        try {
            URI uri = URI.create(text.trim());
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("KERNELCI_API_BASE_URI / kernelci.api_base_uri '" + text
                    + "' is not an http(s) URL, e.g. https://staging.kernelci.org:9000/latest");
        }
    }

    @Override
    public String toString() {
        return "KernelCiAccess[api=" + apiBaseUri + ", token=" + (apiToken.isPresent() ? "(set)" : "(none)") + "]";
    }
}
