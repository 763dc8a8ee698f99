package dev.pullab.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * The hello-world Lambda {@link ColdStartBench} compares the functions with: {@link ColdStartBench} packs this class
 * with {@code aws-lambda-java-core} into a jar of its own, as small as a hello-world function's deployment package.
 */
public final class ColdStartHelloHandler implements RequestHandler<Map<String, Object>, String> {

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        return "hello " + input.size();
    }
}
