package dev.pullab.core.launch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a VM's serial console for what it says about the kernel: the first fatal error (panic, oops, BUG), the last
 * hang sign (lockup, hung task, RCU stall), and the last non-empty line. Pure.
 *
 * <p>A pattern matches only at the start of a kernel message: after the optional {@code <level>} prefix, the
 * {@code [ seconds.micros]} timestamp and the {@code [ T<pid>]} caller id. So a kernel command line holding
 * {@code panic=10}, a {@code bash -x} trace echoing {@code 'Kernel panic - not syncing'}, a {@code DEBUG:} line or a
 * systemd unit called {@code bug-report} never count; a message a user space program writes to {@code /dev/kmsg}
 * that starts like a kernel panic does (the console cannot tell them apart).
 */
public final class KernelConsole {

    /** The most characters of a line quoted in a report. */
    public static final int MAX_QUOTED_CHARS = 200;

    /** A console line longer than this is cut before it is matched (a hostile VM can print one huge line). */
    static final int MAX_LINE_CHARS = 4096;

    private static final Pattern PREFIX = Pattern.compile(
            "^(?:<\\d{1,2}>)?(?:\\[\\s*\\d{1,10}\\.\\d{1,9}\\]\\s*)?(?:\\[\\s*[TC]\\d{1,10}\\]\\s*)?");

    private record Rule(Pattern pattern, ConsoleFinding.Kind kind) {
    }

    /** In order: the lockup forms of {@code BUG:} before the general BUG rule. */
    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("^Kernel panic - not syncing"), ConsoleFinding.Kind.PANIC),
            new Rule(Pattern.compile("^(?:Internal error: )?Oops(?::| -) "), ConsoleFinding.Kind.OOPS),
            new Rule(Pattern.compile("^general protection fault[:,] "), ConsoleFinding.Kind.OOPS),
            new Rule(Pattern.compile("^(?:watchdog: )?BUG: (?:soft lockup|workqueue lockup)"),
                    ConsoleFinding.Kind.LOCKUP),
            new Rule(Pattern.compile("^(?:NMI )?[Ww]atchdog: Watchdog detected hard LOCKUP"),
                    ConsoleFinding.Kind.LOCKUP),
            new Rule(Pattern.compile("^BUG: \\S"), ConsoleFinding.Kind.BUG),
            new Rule(Pattern.compile("^kernel BUG at \\S"), ConsoleFinding.Kind.BUG),
            new Rule(Pattern.compile("^INFO: task \\S.* blocked for more than \\d+ seconds"),
                    ConsoleFinding.Kind.HUNG_TASK),
            new Rule(Pattern.compile("^(?:rcu: )?INFO: rcu_\\w+ (?:detected stalls|self-detected stall)"),
                    ConsoleFinding.Kind.RCU_STALL));

    private KernelConsole() {
    }

    /**
     * What a console says.
     *
     * @param fatal    the first fatal finding (the first one is the cause; what follows is its aftermath)
     * @param hangSign the last hang sign
     * @param lastLine the last non-empty line, bounded like a quoted line
     */
    public record Reading(Optional<ConsoleFinding> fatal, Optional<ConsoleFinding> hangSign,
            Optional<String> lastLine) {
    }

    /** Reads console bytes (UTF-8, invalid sequences replaced). */
    public static Reading read(byte[] console) {
        return read(new String(console, StandardCharsets.UTF_8));
    }

    /** Reads console text (lines end with LF or CRLF). */
    public static Reading read(String console) {
        Optional<ConsoleFinding> fatal = Optional.empty();
        Optional<ConsoleFinding> hang = Optional.empty();
        Optional<String> last = Optional.empty();
        for (String raw : (Iterable<String>) console.lines()::iterator) {
            String line = raw.length() > MAX_LINE_CHARS ? raw.substring(0, MAX_LINE_CHARS) : raw;
            if (!line.isBlank()) {
                last = Optional.of(line);
            }
            Optional<ConsoleFinding> found = match(line);
            if (found.isPresent() && found.get().kind().fatal()) {
                fatal = fatal.or(() -> found);
            } else if (found.isPresent()) {
                hang = found;
            }
        }
        return new Reading(fatal, hang, last.map(KernelConsole::quote));
    }

    /** The client's log lines on the console carry this tag ({@code vm-tests/test-vm-client.sh}, LOG_TAG). */
    static final String CLIENT_TAG = "[pullab-client]";

    /**
     * Why a VM did not report, from the end of its console: the fatal line when there is one
     * ({@code kernel panic on the serial console: "..."}), else {@code the client never started; console ends: "..."}
     * (or {@code the client started but did not report; ...} when the client's log lines are on it), or
     * {@code its serial console is empty}.
     */
    public static String whyNoReport(byte[] console) {
        String text = new String(console, StandardCharsets.UTF_8);
        Reading reading = read(text);
        if (reading.fatal().isPresent()) {
            return reading.fatal().get().reason();
        }
        if (reading.lastLine().isEmpty()) {
            return "its serial console is empty";
        }
        String client = text.contains(CLIENT_TAG) ? "the client started but did not report"
                : "the client never started";
        return client + "; console ends: \"" + reading.lastLine().get() + "\""
                + reading.hangSign().map(sign -> "; last hang sign: \"" + sign.line() + "\"").orElse("");
    }

    /** What one console line says, if anything. */
    public static Optional<ConsoleFinding> match(String line) {
        Matcher prefix = PREFIX.matcher(line);
        String message = prefix.lookingAt() ? line.substring(prefix.end()) : line;
        for (Rule rule : RULES) {
            if (rule.pattern().matcher(message).lookingAt()) {
                return Optional.of(new ConsoleFinding(rule.kind(), quote(message)));
            }
        }
        return Optional.empty();
    }

    /** A line fit to quote: without a timestamp, trimmed, control characters as {@code ?}, bounded. */
    static String quote(String line) {
        Matcher prefix = PREFIX.matcher(line);
        String message = (prefix.lookingAt() ? line.substring(prefix.end()) : line).strip();
        StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_QUOTED_CHARS + 3));
        message.codePoints().limit(MAX_QUOTED_CHARS).forEach(c -> out.appendCodePoint(
                Character.isISOControl(c) || c == '"' ? (c == '"' ? '\'' : '?') : c));
        if (message.codePointCount(0, message.length()) > MAX_QUOTED_CHARS) {
            out.append("...");
        }
        return out.toString();
    }
}
