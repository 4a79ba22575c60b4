package io.hubspoke.contract.workers;

import java.util.List;
import java.util.Optional;

/**
 * The workers and item sources a deployment offers, by name, as far as validating a request needs
 * them.
 */
public interface WorkerCatalog {
  Optional<? extends WorkerConfigSchema> find(String name);

  /** The names, in the order an error message lists them. */
  List<String> names();

  /** A plug-in item source ({@code source.type: "worker"}) by name, for validating its config. */
  default Optional<? extends WorkerConfigSchema> findSource(String name) {
    return Optional.empty();
  }

  /** The item sources' names, in the order an error message lists them. */
  default List<String> sourceNames() {
    return List.of();
  }
}
