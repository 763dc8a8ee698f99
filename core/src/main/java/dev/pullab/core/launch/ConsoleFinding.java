package dev.pullab.core.launch;

import java.util.Objects;

/**
 * One line of a VM's serial console that says something about its kernel: a fatal error (panic, oops, BUG) or a sign
 * that it hangs (soft or hard lockup, hung task, RCU stall). Found by {@link KernelConsole}.
 *
 * @param kind what the line says
 * @param line the line as the console printed it, without its timestamp, trimmed, control characters replaced by
 *             {@code ?}, at most {@value KernelConsole#MAX_QUOTED_CHARS} characters (longer ones end with {@code ...})
 */
public record ConsoleFinding(Kind kind, String line) {

    /** What a console line says. */
    public enum Kind {
        /** {@code Kernel panic - not syncing: ...}: the kernel stopped. */
        PANIC(true, "kernel panic"),
        /** {@code Oops: ...}, {@code Internal error: Oops: ...}, {@code general protection fault}: a kernel fault. */
        OOPS(true, "kernel oops"),
        /** {@code BUG: ...} (not a lockup), {@code kernel BUG at ...}: the kernel found itself broken. */
        BUG(true, "kernel BUG"),
        /** {@code watchdog: BUG: soft lockup ...}, {@code BUG: soft lockup}, hard LOCKUP, workqueue lockup. */
        LOCKUP(false, "lockup"),
        /** {@code INFO: task <name>:<pid> blocked for more than <n> seconds.} */
        HUNG_TASK(false, "hung task"),
        /** {@code rcu: INFO: rcu_sched detected stalls ...}, {@code self-detected stall}. */
        RCU_STALL(false, "RCU stall");

        private final boolean fatal;
        private final String wording;

        Kind(boolean fatal, String wording) {
            this.fatal = fatal;
            this.wording = wording;
        }

        /**
         * True for what ends a test run (panic, oops, BUG); false for a hang sign, which a kernel may recover from
         * (a task blocked by slow I/O, a lockup the watchdog reports and that later clears).
         */
        public boolean fatal() {
            return fatal;
        }

        /** How a report names it, e.g. {@code kernel panic}. */
        public String wording() {
            return wording;
        }
    }

    public ConsoleFinding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(line, "line");
    }

    /** Why the VM failed, for {@code result.txt} without its prefix: {@code kernel panic on the serial console: "<line>"}. */
    public String reason() {
        return kind.wording() + " on the serial console: \"" + line + "\"";
    }

    /** The {@code result.txt} line of a VM this finding failed: {@code FAILED: <reason>}. */
    public String resultLine() {
        return "FAILED: " + reason();
    }
}
