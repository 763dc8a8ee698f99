package dev.pullab.core.text;

import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * The one grammar for numbers that VMs supply as text (benchmark CSV values): plain decimal notation only,
 * {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}, ASCII digits, nothing around it.
 *
 * <p>Java's {@link Double#parseDouble} also takes {@code 10f}, {@code 1d}, hexadecimal {@code 0x1p3}, {@code NaN},
 * {@code Infinity} and surrounding whitespace; none of these is a measurement a benchmark writes, and accepting them
 * would let a typo or a hostile VM pass a value the report's readers and KCIDB would not read the same way. So the
 * text is matched against the grammar first, and only then converted. A number beyond the double range (e.g.
 * {@code 1e400}) matches the grammar and converts to an infinity; callers refuse it as not finite.
 */
public final class DecimalNumber {

    private static final Pattern GRAMMAR = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    private DecimalNumber() {
    }

    /** The value of {@code text}, or empty when it is not a decimal number by the grammar above. */
    public static OptionalDouble parse(String text) {
        if (text == null || !GRAMMAR.matcher(text).matches()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(text));
    }

    /** What the grammar accepts, for error messages. */
    public static String describeGrammar() {
        return "a decimal number such as 12, -0.5 or 1.2e3";
    }
}
