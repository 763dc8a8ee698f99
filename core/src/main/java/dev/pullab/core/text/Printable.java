package dev.pullab.core.text;

import java.util.Locale;

/**
 * The one place where untrusted text (anything a VM, a CSV or a peer supplied: metric, test and arch names, units,
 * kernel versions, error messages quoting them) is made safe to print in a text report or on a terminal.
 *
 * <p>A newline inside a metric name would otherwise start a line of its own (e.g. a forged
 * {@code REGRESSIONS DETECTED: 0}), and an ANSI escape would drive the reader's terminal. So every character that is
 * not printable text is written visibly instead: {@code \n}, {@code \r}, {@code \t}, {@code \xHH} for the other C0
 * and C1 controls and DEL (e.g. ESC as {@code \x1b}), and {@code \}{@code uHHHH} for the Unicode line and paragraph
 * separators, the bidirectional overrides and isolates (which reorder what is shown) and unpaired surrogates.
 * A backslash is doubled, so the escaped form cannot be confused with text that merely looks escaped. Printable
 * text, including non-ASCII letters and symbols, is kept as it is.
 */
public final class Printable {

    private Printable() {
    }

    /** {@code text} with every non-printable character escaped; {@code "null"} for null. */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (!unsafe(c)) {
                out.append(c);
            } else {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(c <= 0xff ? String.format(Locale.ROOT, "\\x%02x", (int) c)
                            : String.format(Locale.ROOT, "\\u%04x", (int) c));
                }
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (unsafe(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Controls, backslash, line/paragraph separators, bidi controls and (here: unpaired) surrogates. */
    private static boolean unsafe(char c) {
        return c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c'
                || Character.isSurrogate(c);
    }
}
