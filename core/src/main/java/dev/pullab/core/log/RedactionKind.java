package dev.pullab.core.log;

/**
 * What a redaction replaced; its {@link #label()} is the {@code <kind>} in {@code [REDACTED:<kind>]}. See
 * {@link LogScrubber} for the pattern behind each kind.
 */
public enum RedactionKind {
    /** The lab's own KernelCI API token (exact value given to the scrubber). */
    KERNELCI_TOKEN("kernelci_token"),
    /** The lab's own KCIDB JWT (exact value given to the scrubber). */
    KCIDB_JWT("kcidb_jwt"),
    /** A PEM private key block (RSA, EC, OPENSSH, ENCRYPTED, PGP ...), possibly spanning many lines. */
    PEM_PRIVATE_KEY("pem_private_key"),
    /** A JSON Web Token: {@code eyJ...}.{@code eyJ...}.signature. */
    JWT("jwt"),
    /** A GitHub token ({@code ghp_ gho_ ghu_ ghs_ ghr_} or {@code github_pat_}). */
    GITHUB_TOKEN("github_token"),
    /** An AWS access key id ({@code AKIA} long-lived or {@code ASIA} temporary, 20 characters). */
    AWS_ACCESS_KEY_ID("aws_access_key_id"),
    /** A 40-character AWS secret access key written after a {@code secret_access_key}-style name. */
    AWS_SECRET_ACCESS_KEY("aws_secret_access_key"),
    /** An OpenSSH public key in authorized_keys form (kept from pullab_cloud: it names who may log in). */
    SSH_PUBLIC_KEY("ssh_public_key"),
    /** The token after {@code Bearer }; the keyword itself is kept. */
    BEARER_TOKEN("bearer_token"),
    /** The value of a {@code PASSWORD=}/{@code secret:}/{@code ..._TOKEN=}-style pair; the name is kept. */
    CREDENTIAL_KV("credential_kv"),
    /** An unbroken run of token characters cut by the line-length bound; redacted whole because it cannot be read. */
    LONG_TOKEN("long_token");

    private final String label;

    RedactionKind(String label) {
        this.label = label;
    }

    /** The kind as written in the marker, e.g. {@code kernelci_token}. */
    public String label() {
        return label;
    }

    /** The text that replaces a secret of this kind: {@code [REDACTED:<label>]}. */
    public String marker() {
        return "[REDACTED:" + label + "]";
    }
}
