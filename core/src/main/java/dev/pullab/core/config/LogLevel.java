package dev.pullab.core.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * How much pullab logs: {@code ERROR}, {@code WARN}, {@code INFO} or {@code DEBUG}, from the CLI's {@code --log-level}
 * or the {@value #VARIABLE} variable (pullab_cloud's convention; its {@code WARNING} is accepted for {@code WARN}).
 * Logging goes through SLF4J's simple binding (slf4j-simple), which reads its settings from system properties once,
 * when the first logger is made: {@link #configure} must run before that, in a composition root (a function's
 * handler, the CLI's entry point). The AWS SDK's own loggers stay at {@code WARN} whatever the level, as pullab_cloud
 * keeps botocore's, unless the level is {@code ERROR}.
 */
public enum LogLevel {
    ERROR, WARN, INFO, DEBUG;

    /** The variable every function (and the CLI, without --log-level) reads. */
    public static final String VARIABLE = "LOG_LEVEL";
    /** The simple binding's default level. */
    static final String DEFAULT_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    /** The simple binding's level of the AWS SDK's loggers. */
    static final String SDK_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.software.amazon.awssdk";

    /**
     * The level named by {@code text}, in any case ({@code WARNING} is {@code WARN}).
     *
     * @throws ConfigurationException naming the value and the valid ones
     */
    public static LogLevel parse(String text, String what) {
        String name = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (name.equals("WARNING")) {
            return WARN;
        }
        for (LogLevel level : values()) {
            if (level.name().equals(name)) {
                return level;
            }
        }
        throw new ConfigurationException(what + " '" + (text == null ? "" : text.strip())
                + "' is not a log level: use ERROR, WARN, INFO or DEBUG");
    }

    /** The level {@value #VARIABLE} names, when it is set (and not blank). */
    public static Optional<LogLevel> fromEnvironment(UnaryOperator<String> env) {
        return Optional.ofNullable(env.apply(VARIABLE)).filter(v -> !v.isBlank()).map(v -> parse(v, VARIABLE));
    }

    /**
     * The settings of the simple binding for this level: {@code org.slf4j.simpleLogger.*} properties (the default
     * level, the SDK's level, and for the CLI a short format on stderr: level and class, no thread, no time).
     */
    public Map<String, String> simpleLoggerProperties(boolean commandLine) {
        String level = name().toLowerCase(Locale.ROOT);
        String sdk = this == ERROR ? "error" : "warn";
        if (!commandLine) {
            return Map.of(DEFAULT_LEVEL_PROPERTY, level, SDK_LEVEL_PROPERTY, sdk);
        }
        return Map.of(DEFAULT_LEVEL_PROPERTY, level, SDK_LEVEL_PROPERTY, sdk,
                "org.slf4j.simpleLogger.logFile", "System.err",
                "org.slf4j.simpleLogger.showThreadName", "false",
                "org.slf4j.simpleLogger.showShortLogName", "true",
                "org.slf4j.simpleLogger.showDateTime", "false");
    }

    /** Sets the binding's properties through {@code set} (e.g. {@code System::setProperty}). */
    public void configure(boolean commandLine, BiConsumer<String, String> set) {
        simpleLoggerProperties(commandLine).forEach(set);
    }

    /**
     * A function's logging, from {@value #VARIABLE} (default {@code INFO}); called first in each handler's static
     * initialiser, before any logger. A bad value logs at {@code INFO} and says so once on stderr (a function must
     * not fail to start over its log level). Properties already set (a {@code -D}, or the CLI that runs the handlers
     * in local-run) are kept.
     */
    public static void configureFunction() {
        LogLevel level = INFO;
        try {
            level = fromEnvironment(System::getenv).orElse(INFO);
        } catch (ConfigurationException bad) {
            System.err.println("WARN " + bad.getMessage() + "; logging at INFO");
        }
        level.configure(false, (key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }
}
