package dev.pullab.core.url;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way a URL is shown in a message, a log line, a report or a table: its user info (the {@code user:password}
 * or token before {@code @}, a credential) replaced by {@value #MARK}, everything else as given. Works on text that
 * does not even parse as a URI, so that a refusal of a malformed URL never echoes its credentials either.
 */
public final class UrlRedaction {

    /** What stands in for the user info. */
    public static final String MARK = "<user info>";

    /**
     * {@code scheme://} then the authority's user info: everything up to the last {@code @} before the first
     * {@code /}, {@code ?}, {@code #} or a backslash (as curl and browsers split an authority); any scheme, and also
     * {@code //} without one.
     */
    private static final Pattern USER_INFO = Pattern.compile("^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#\\\\]*@");

    /** The same, for every URL inside free text: a scheme, {@code //}, then user info up to {@code @}. */
    private static final Pattern USER_INFO_IN_TEXT =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\\\\\s\"']*@");

    private UrlRedaction() {
    }

    /** {@code url} with its user info replaced; {@code "null"} for {@code null}. */
    public static String shown(String url) {
        if (url == null) {
            return "null";
        }
        String trimmed = url.strip();
        return USER_INFO.matcher(trimmed).replaceFirst("$1" + Matcher.quoteReplacement(MARK) + "@");
    }

    /** {@link #shown(String)} of the URI as written (its raw form). */
    public static String shown(URI url) {
        return url == null ? "null" : shown(url.toString());
    }

    /**
     * {@code text} (a message, a log line) with the user info of every URL in it replaced: for text that may quote
     * a URL somewhere, such as an error message built from a job definition's values.
     */
    public static String inText(String text) {
        return text == null ? null
                : USER_INFO_IN_TEXT.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(MARK) + "@");
    }

    /** Whether {@code url} carries user info (the part {@link #shown(String)} replaces). */
    public static boolean hasUserInfo(String url) {
        return url != null && USER_INFO.matcher(url.strip()).find();
    }
}
