package io.hubspoke.contract.workers;

import java.util.List;
import java.util.Optional;

/** The workers a deployment offers, by name, as far as validating a request needs them. */
public interface WorkerCatalog {
  Optional<? extends WorkerConfigSchema> find(String name);

  /** The names, in the order an error message lists them. */
  List<String> names();
}
