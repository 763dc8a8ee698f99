package dev.pullab.core.kernelci;

import java.util.Optional;

/** Reads one node by id ({@code GET /node/{id}}); empty when the API does not know it. */
@FunctionalInterface
public interface NodeLookup {
    Optional<Node> node(String id);
}
