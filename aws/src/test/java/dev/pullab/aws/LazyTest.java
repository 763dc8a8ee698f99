package dev.pullab.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LazyTest {

    @Test
    @DisplayName("nothing is built until the first use")
    void notBuiltBeforeUse() {
        AtomicInteger builds = new AtomicInteger();

        Lazy.of(builds::incrementAndGet);

        assertThat(builds).hasValue(0);
    }

    @Test
    @DisplayName("the value is built once and kept")
    void builtOnce() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Integer> lazy = Lazy.of(builds::incrementAndGet);

        assertThat(lazy.get()).isEqualTo(1);
        assertThat(lazy.get()).isEqualTo(1);
        assertThat(builds).hasValue(1);
    }

    @Test
    @DisplayName("a build that fails is tried again on the next use")
    void failedBuildRetried() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("no region");
            }
            return "client";
        });

        assertThatThrownBy(lazy::get).hasMessage("no region");
        assertThat(lazy.get()).isEqualTo("client");
    }

    @Test
    @DisplayName("wrapping a lazy value again does not add a layer")
    void wrappingIsIdempotent() {
        Lazy<String> lazy = Lazy.of(() -> "x");

        assertThat(Lazy.of(lazy)).isSameAs(lazy);
    }

    @Test
    @DisplayName("reset forgets the value and returns it; the next use builds a new one")
    void resetRebuilds() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Integer> lazy = Lazy.of(builds::incrementAndGet);
        lazy.get();

        assertThat(lazy.reset()).contains(1);
        assertThat(lazy.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("reset of a value never built returns nothing and builds nothing")
    void resetUnbuilt() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Integer> lazy = Lazy.of(builds::incrementAndGet);

        assertThat(lazy.reset()).isEmpty();
        assertThat(builds).hasValue(0);
    }
}
