package dev.pullab.cli.local;

/**
 * A function invocation dying at a step boundary, as a Lambda container does when it is killed or times out: thrown
 * by a fault plan's SDK interceptor, it is an {@link Error} so that no {@code catch (Exception)} in the functions turns
 * it into an orderly failure. {@link LocalLab} catches it around the invocation and lets the trigger retry as AWS
 * would (SQS redelivers the whole batch, the schedule invokes again, EventBridge retries).
 */
public final class InjectedCrash extends Error {

    private static final long serialVersionUID = 1L;

    /** @param boundary where the invocation died, e.g. {@code analyzer: after DynamoDb.UpdateItem} */
    public InjectedCrash(String boundary) {
        super("injected crash " + boundary, null, false, false);
    }
}
