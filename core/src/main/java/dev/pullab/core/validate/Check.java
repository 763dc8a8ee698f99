package dev.pullab.core.validate;

import java.util.Objects;

/**
 * One pre-flight check's outcome, as {@code pullab validate} prints it.
 *
 * @param name   what was checked, e.g. {@code table runs}, {@code kernelci token}
 * @param status ok, problem or skipped
 * @param detail what was checked and what was found (never a secret)
 * @param fix    for a problem, how to fix it; empty otherwise
 */
public record Check(String name, Status status, String detail, String fix) {

    /** A check's outcome. */
    public enum Status {
        OK("ok"), PROBLEM("problem"), SKIPPED("skipped");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** As printed: {@code ok}, {@code problem}, {@code skipped}. */
        public String label() {
            return label;
        }
    }

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        fix = fix == null ? "" : fix;
    }

    public static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    public static Check problem(String name, String detail, String fix) {
        return new Check(name, Status.PROBLEM, detail, fix);
    }

    public static Check skipped(String name, String reason) {
        return new Check(name, Status.SKIPPED, reason, "");
    }

    public boolean isProblem() {
        return status == Status.PROBLEM;
    }
}
