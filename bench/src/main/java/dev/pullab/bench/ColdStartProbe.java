package dev.pullab.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link ColdStartBench} in a fresh JVM whose classpath is one function jar plus this class (and only the JDK
 * and {@code aws-lambda-java-core} are used here, so nothing of the function is loaded before Lambda would load it).
 * It does what the Lambda Java runtime does with the function: loads the handler class, builds it with its no-arg
 * constructor (the init phase), then calls {@code handleRequest} once with the event and a context (the first
 * invoke). Prints one line:
 *
 * <pre>cold-start-probe: main-epoch-ms=… init-ns=… [prime-ns=…] invoke-ns=… cpu-ms=… result=…</pre>
 *
 * <p>Arguments: {@code [--prime] <handler class> map <key> <value>…} (dotted keys nest, e.g. {@code detail.region}),
 * or {@code … sqs <message id> <body>…}. The events are built the way the runtime's serializer would produce them
 * ({@code Map} / {@code SQSEvent}), but with plain Java, so no JSON library is loaded ahead of the handler's own.
 *
 * <p>{@code … --then <second event>}: after the first invoke, a second one (warm) with another event, timed apart
 * ({@code invoke2-ns}): what priming could at best make of the first.
 *
 * <p>{@code --prime}: between init and the first invoke, run what SnapStart would run before its snapshot: every
 * {@code org.crac.Resource} registered with {@code org.crac.Core}'s global context gets {@code beforeCheckpoint}, then
 * {@code afterRestore} (when the jar carries {@code org.crac}; else nothing is primed and {@code prime-ns=-1}).
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long mainEpochMs = System.currentTimeMillis();
        long mainNs = System.nanoTime();
        int i = 0;
        boolean prime = false;
        if (args[i].equals("--prime")) {
            prime = true;
            i++;
        }
        String handlerClass = args[i++];
        List<String> rest = List.of(args).subList(i, args.length);
        int then = rest.indexOf("--then");
        List<String> first = then < 0 ? rest : rest.subList(0, then);
        List<String> second = then < 0 ? List.of() : rest.subList(then + 1, rest.size());

        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>) Class.forName(handlerClass)
                .getConstructor().newInstance();
        long initNs = System.nanoTime() - mainNs;

        long primeNs = -1;
        if (prime) {
            long start = System.nanoTime();
            if (primeCrac()) {
                primeNs = System.nanoTime() - start;
            }
        }

        Object event = event(first);
        long invokeStart = System.nanoTime();
        Object result = handler.handleRequest(event, new ProbeContext(handlerClass));
        long invokeNs = System.nanoTime() - invokeStart;
        long cpuMs = processCpuMs();

        String text = String.valueOf(result).replace('\n', ' ');
        String again = "";
        if (!second.isEmpty()) {
            Object secondEvent = event(second);
            long start = System.nanoTime();
            Object secondResult = handler.handleRequest(secondEvent, new ProbeContext(handlerClass));
            again = " invoke2-ns=" + (System.nanoTime() - start);
            System.out.println("cold-start-probe-2: result=" + String.valueOf(secondResult).replace('\n', ' '));
        }
        System.out.println("cold-start-probe: main-epoch-ms=" + mainEpochMs + " init-ns=" + initNs
                + (prime ? " prime-ns=" + primeNs : "") + " invoke-ns=" + invokeNs + " cpu-ms=" + cpuMs + again
                + " result=" + text);
        System.out.flush();
        // the handler may leave non-daemon threads (HTTP clients); Lambda freezes the environment, we just leave
        System.exit(0);
    }

    /**
     * CPU time of the whole JVM so far (every thread: main, JIT compilers, GC), user + system, from
     * {@code /proc/self/stat} (clock ticks, assumed 100 per second); -1 where there is no procfs. Less sensitive to
     * other load on the machine than wall-clock time.
     */
    private static long processCpuMs() {
        try {
            String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/stat")),
                    StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** SnapStart's checkpoint, as far as the application sees it: the global context's resources, in its order. */
    private static boolean primeCrac() throws Exception {
        Class<?> core;
        try {
            core = Class.forName("org.crac.Core");
        } catch (ClassNotFoundException e) {
            return false;
        }
        Object context = core.getMethod("getGlobalContext").invoke(null);
        Class<?> contextClass = Class.forName("org.crac.Context");
        Method before = contextClass.getMethod("beforeCheckpoint", contextClass);
        Method after = contextClass.getMethod("afterRestore", contextClass);
        try {
            before.invoke(context, new Object[] {null});
            after.invoke(context, new Object[] {null});
        } catch (java.lang.reflect.InvocationTargetException e) {
            // org.crac on a JDK without CRaC: the global context registers nothing and refuses to be called
            return false;
        }
        return true;
    }

    /** {@code map <key> <value>…} or {@code sqs <message id> <body>…}. */
    private static Object event(List<String> spec) throws Exception {
        List<String> pairs = spec.subList(1, spec.size());
        return spec.get(0).equals("sqs") ? sqsEvent(pairs) : mapEvent(pairs);
    }

    private static Map<String, Object> mapEvent(List<String> pairs) {
        Map<String, Object> event = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            String[] path = pairs.get(i).split("\\.");
            Map<String, Object> target = event;
            for (int p = 0; p < path.length - 1; p++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) target.computeIfAbsent(path[p],
                        k -> new LinkedHashMap<String, Object>());
                target = next;
            }
            target.put(path[path.length - 1], pairs.get(i + 1));
        }
        return event;
    }

    /** An {@code SQSEvent} (from the function jar's aws-lambda-java-events), built by reflection. */
    private static Object sqsEvent(List<String> pairs) throws Exception {
        ClassLoader loader = ColdStartProbe.class.getClassLoader();
        Class<?> eventClass = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSEvent", true, loader);
        Class<?> messageClass = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSEvent$SQSMessage",
                true, loader);
        List<Object> records = new ArrayList<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            Object message = messageClass.getConstructor().newInstance();
            messageClass.getMethod("setMessageId", String.class).invoke(message, pairs.get(i));
            messageClass.getMethod("setReceiptHandle", String.class).invoke(message, "receipt-" + pairs.get(i));
            messageClass.getMethod("setBody", String.class).invoke(message, pairs.get(i + 1));
            messageClass.getMethod("setEventSource", String.class).invoke(message, "aws:sqs");
            messageClass.getMethod("setEventSourceArn", String.class).invoke(message,
                    "arn:aws:sqs:us-east-1:123456789012:cold-start");
            messageClass.getMethod("setAwsRegion", String.class).invoke(message, "us-east-1");
            messageClass.getMethod("setAttributes", Map.class).invoke(message, Map.of("ApproximateReceiveCount", "1",
                    "SentTimestamp", Long.toString(System.currentTimeMillis())));
            records.add(message);
        }
        Object event = eventClass.getConstructor().newInstance();
        eventClass.getMethod("setRecords", List.class).invoke(event, records);
        return event;
    }

    /** What the runtime passes: a request id, the function's name and memory, a 5-minute deadline. */
    private static final class ProbeContext implements Context {
        private final String function;
        private final long deadline = System.currentTimeMillis() + 300_000;

        ProbeContext(String handlerClass) {
            this.function = handlerClass.substring(handlerClass.lastIndexOf('.') + 1);
        }

        @Override
        public String getAwsRequestId() {
            return "cold-start-" + Long.toHexString(System.nanoTime());
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/" + function;
        }

        @Override
        public String getLogStreamName() {
            return "cold-start";
        }

        @Override
        public String getFunctionName() {
            return function;
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:" + function;
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) (deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.out.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.out.print(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
