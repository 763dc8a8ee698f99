package dev.pullab.core.http;

import java.net.URI;
import java.util.Optional;

/**
 * Which redirect targets a request may follow. {@link RetryingHttp} follows redirects itself and asks this for every
 * hop, so a URL policy checked on the first URL (an allow-list, https only) holds for wherever the server sends the
 * client; credentials are dropped on any hop to another origin, whatever the policy.
 */
@FunctionalInterface
public interface RedirectPolicy {

    /** Any target (credentials still stay with their origin). */
    RedirectPolicy ANY = target -> Optional.empty();

    /** Why the client must not follow a redirect to {@code target}; empty to follow it. */
    Optional<String> refusal(URI target);
}
