package io.hubspoke.core.worker;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.worker.TaskWorker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The workers a deployment offers, by name: the built-in ones and the plug-ins found with {@link
 * ServiceLoader} (a plug-in jar lists its classes in {@code
 * META-INF/services/io.hubspoke.worker.TaskWorker}; on Lambda the jar comes in a layer, locally
 * with {@code --worker-jar}).
 */
public final class WorkerRegistry implements WorkerCatalog {
  private final Map<String, TaskWorker> workers = new LinkedHashMap<>();

  public WorkerRegistry(List<TaskWorker> workers) {
    for (TaskWorker worker : workers) {
      if (this.workers.putIfAbsent(worker.name(), worker) != null) {
        throw new IllegalArgumentException("two workers are named " + worker.name());
      }
    }
  }

  /**
   * {@code echo}, {@code sleep}, {@code http} and {@code lambda} (which allows no function until
   * the registry is {@linkplain #boundTo bound} to a function's environment).
   */
  public static WorkerRegistry builtIn() {
    return new WorkerRegistry(builtInWorkers());
  }

  /**
   * The built-in workers and every plug-in {@code loader} offers. A plug-in that cannot be loaded,
   * or that takes a name already taken, stops the function from starting with a message naming it:
   * a deployment must not run with a worker silently missing.
   */
  public static WorkerRegistry withPlugins(ClassLoader loader) {
    List<TaskWorker> all = new ArrayList<>(builtInWorkers());
    try {
      for (TaskWorker plugin : ServiceLoader.load(TaskWorker.class, loader)) {
        all.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "a plug-in worker could not be loaded ("
              + e.getMessage()
              + "): each class listed in META-INF/services/"
              + TaskWorker.class.getName()
              + " must implement it and have a public no-argument constructor",
          e);
    }
    return new WorkerRegistry(all);
  }

  /** The built-in workers and the plug-ins on this function's class path (its layers' jars). */
  public static WorkerRegistry discovered() {
    return withPlugins(WorkerRegistry.class.getClassLoader());
  }

  private static List<TaskWorker> builtInWorkers() {
    return List.of(new EchoWorker(), new SleepWorker(), new HttpWorker(), new LambdaWorker());
  }

  /**
   * This registry as the function with {@code env} runs it: its {@code lambda} worker allows the
   * functions {@code env} lists and invokes them with {@code lambda}, asked for on the first task.
   * The other workers need nothing of the environment and are the same instances.
   */
  public WorkerRegistry boundTo(HubspokeEnvironment env, Supplier<LambdaClient> lambda) {
    List<TaskWorker> bound = new ArrayList<>(workers.size());
    for (TaskWorker worker : workers.values()) {
      bound.add(worker instanceof LambdaWorker ? LambdaWorker.forEnvironment(env, lambda) : worker);
    }
    return new WorkerRegistry(bound);
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
