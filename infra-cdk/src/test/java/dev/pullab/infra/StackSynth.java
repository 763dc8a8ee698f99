package dev.pullab.infra;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/** The lab's stack synthesized with placeholder code and the given context, in a fixed account and region. */
final class StackSynth {

    private StackSynth() {
    }

    static PullabStack stack(Map<String, String> context) {
        Map<String, Object> all = new HashMap<>(Map.of("placeholderCode", "true"));
        all.putAll(context);
        App app = new App(AppProps.builder().context(all).build());
        return new PullabStack(app, "pullab", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("eu-west-2").build()).build());
    }
}
