package dev.pullab.core.run;

/** Where a run's tests execute. */
public enum Executor {
    /** EC2 VMs running the vm-tests client (one VM per test instance). */
    EC2,
    /** A Fargate task booting the job's kernel under QEMU (platforms such as {@code qemu-x86_64}). */
    FARGATE
}
