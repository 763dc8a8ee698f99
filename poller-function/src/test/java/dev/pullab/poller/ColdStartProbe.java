package dev.pullab.poller;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Run in a fresh JVM on the shaded jar by {@link ColdStartHarness}: builds the handler the way Lambda does (no-arg
 * constructor, settings from the environment) and invokes it once, then prints the time from JVM start.
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long initStart = System.currentTimeMillis();
        PollHandler handler = new PollHandler();
        Map<String, Object> result = handler.handleRequest(Map.of(), null);
        long done = System.currentTimeMillis();
        System.out.println("probe: jvm-start-to-return-ms=" + (done - jvmStart) + " handler-ms=" + (done - initStart)
                + " result=" + result);
    }
}
