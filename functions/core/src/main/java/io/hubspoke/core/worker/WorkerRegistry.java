package io.hubspoke.core.worker;

import io.hubspoke.contract.workers.WorkerCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The workers a deployment offers, by name. */
public final class WorkerRegistry implements WorkerCatalog {
  private final Map<String, TaskWorker> workers = new LinkedHashMap<>();

  public WorkerRegistry(List<TaskWorker> workers) {
    for (TaskWorker worker : workers) {
      if (this.workers.putIfAbsent(worker.name(), worker) != null) {
        throw new IllegalArgumentException("two workers are named " + worker.name());
      }
    }
  }

  /** {@code echo}, {@code sleep} and {@code http}. */
  public static WorkerRegistry builtIn() {
    return new WorkerRegistry(List.of(new EchoWorker(), new SleepWorker(), new HttpWorker()));
  }

  @Override
  public Optional<TaskWorker> find(String name) {
    return Optional.ofNullable(workers.get(name));
  }

  @Override
  public List<String> names() {
    return List.copyOf(workers.keySet());
  }
}
