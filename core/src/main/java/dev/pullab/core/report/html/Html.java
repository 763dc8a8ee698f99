package dev.pullab.core.report.html;

import dev.pullab.core.text.Printable;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place where untrusted text becomes HTML. Every string of a report comes from a VM, a CSV or a peer, so it
 * is first made printable ({@link Printable#escape}: a bidirectional override or a control character shows as an
 * escape instead of reordering or hiding text) and then HTML-escaped, in text and in attribute values alike. Links
 * are written only for absolute {@code http} and {@code https} URLs: a {@code javascript:} or {@code data:} link
 * cannot be smuggled in through a log URL.
 */
final class Html {

    private Html() {
    }

    /** {@code text} as HTML text or a double-quoted attribute value. */
    static String text(String text) {
        String printable = Printable.escape(text);
        StringBuilder out = new StringBuilder(printable.length() + 16);
        for (int i = 0; i < printable.length(); i++) {
            char c = printable.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The URL when it may be a link: absolute, {@code http} or {@code https}, with a host. */
    static Optional<URI> linkable(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null
                ? Optional.of(url) : Optional.empty();
    }

    /** {@code <a href="url">label</a>} for a linkable URL, else the label alone. */
    static String link(Optional<URI> url, String label) {
        return url.flatMap(Html::linkable)
                .map(u -> "<a href=\"" + text(u.toASCIIString()) + "\">" + text(label) + "</a>")
                .orElseGet(() -> text(label));
    }

    /** A relative link to a page of the same site, e.g. {@code run_x/analysis/report.html}. */
    static String relativeLink(String path, String label) {
        return "<a href=\"" + text(path) + "\">" + text(label) + "</a>";
    }
}
