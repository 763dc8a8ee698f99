package dev.pullab.core.run;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for the variables a test's stages get from {@code params.env} (vm-tests/README.md): which names a lab's
 * {@code test_params} may set, which the lab itself sets, and how large a value may be. {@code params.env} is sourced
 * by bash and its variables are exported into each stage's environment, so a name is a shell variable name and some
 * names are reserved: a value for them would change how the stage's shell, the dynamic loader or the aws CLI behave,
 * or replace what the VM client sets.
 *
 * <h2>Reserved names</h2>
 * <ul>
 *   <li>what the client sets for every stage: {@code PATH}, {@code HOME}, {@code USER}, {@code LOGNAME},
 *       {@code LANG}, {@code TERM}, and everything starting {@code PULLAB_} (the lab's own parameters);</li>
 *   <li>what makes bash run other code or parse differently ({@code bash -x} runs every stage): {@code BASH_*},
 *       {@code ENV}, {@code PS4}, {@code PROMPT_COMMAND}, {@code SHELLOPTS}, {@code BASHOPTS}, {@code IFS},
 *       {@code CDPATH}, {@code GLOBIGNORE}, {@code POSIXLY_CORRECT}, {@code SHELL}, {@code SHLVL}, {@code PWD},
 *       {@code OLDPWD}, {@code _};</li>
 *   <li>what makes the dynamic loader or an interpreter load other code: {@code LD_*}, {@code GCONV_PATH},
 *       {@code PYTHON*}, {@code PERL5*}, {@code PERLLIB}, {@code RUBYOPT}, {@code RUBYLIB}, {@code NODE_OPTIONS},
 *       {@code JAVA_TOOL_OPTIONS}, {@code _JAVA_OPTIONS};</li>
 *   <li>{@code AWS_*}: credentials, region and endpoints of the aws CLI a stage may call.</li>
 * </ul>
 * The same list is in vm-tests/test-vm-client.sh ({@code stage_reserved}), which applies it to what reaches a stage.
 */
public final class StageParams {

    /** A shell variable name as {@code params.env} writes it (upper case, as pullab_cloud exported them). */
    public static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
    /** A {@code test_params} key as a config may spell it, before it is upper-cased. */
    public static final Pattern CONFIG_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    /** The longest value accepted, in characters. */
    public static final int MAX_VALUE_CHARS = 8192;
    /** The most {@code test_params} one {@code vms[]} entry may have. */
    public static final int MAX_PARAMS = 64;
    /** The prefix of the lab's own parameters. */
    public static final String LAB_PREFIX = "PULLAB_";

    /** The reserved names (besides {@code PULLAB_*} for a config's {@code test_params}). */
    public static final Set<String> RESERVED = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM",
            "ENV", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS", "IFS", "CDPATH", "GLOBIGNORE",
            "POSIXLY_CORRECT", "SHELL", "SHLVL", "PWD", "OLDPWD", "_",
            "GCONV_PATH", "PERLLIB", "RUBYOPT", "RUBYLIB", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");
    /** The reserved prefixes: every name starting with one is reserved. */
    public static final List<String> RESERVED_PREFIXES = List.of("BASH_", "LD_", "PYTHON", "PERL5", "AWS_");

    private StageParams() {
    }

    /**
     * Why a name may not be set by a lab's {@code test_params} or {@code params.env}, or empty when it may.
     *
     * @param name        the variable name (already upper case)
     * @param labParamsOk whether {@code PULLAB_*} names are allowed (true for what the lab itself writes)
     */
    public static Optional<String> refusal(String name, boolean labParamsOk) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a shell variable name (letters, digits and '_', not starting"
                    + " with a digit, at most 64 characters)");
        }
        if (name.startsWith(LAB_PREFIX) && !labParamsOk) {
            return Optional.of(name + " is reserved: " + LAB_PREFIX + "* are the lab's own parameters");
        }
        if (RESERVED.contains(name)) {
            return Optional.of(name + " is reserved: it would change how the stage's shell or programs run");
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return Optional.of(name + " is reserved: " + prefix + "* would change how the stage's shell, its"
                        + " programs or the aws CLI run");
            }
        }
        return Optional.empty();
    }

    /** The {@code params.env} name of a config's {@code test_params} key: upper case, as pullab_cloud exported it. */
    public static String nameOf(String configKey) {
        return configKey.toUpperCase(Locale.ROOT);
    }

    /** Why a value cannot be a stage variable, or empty when it can. */
    public static Optional<String> valueRefusal(String name, String value) {
        if (value == null) {
            return Optional.of(name + " has no value");
        }
        if (value.indexOf('\0') >= 0) {
            return Optional.of(name + " holds a NUL character, which a shell variable cannot");
        }
        if (value.length() > MAX_VALUE_CHARS) {
            return Optional.of(name + " is " + value.length() + " characters long, more than " + MAX_VALUE_CHARS);
        }
        return Optional.empty();
    }
}
