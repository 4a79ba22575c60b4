package io.hubspoke.core.worker;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.worker.ItemSource;
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
 * META-INF/services/io.hubspoke.worker.TaskWorker}, and its item sources in {@code
 * META-INF/services/io.hubspoke.worker.ItemSource}; on Lambda the jar comes in a layer, locally
 * with {@code --worker-jar}).
 */
public final class WorkerRegistry implements WorkerCatalog {
  private final Map<String, TaskWorker> workers = new LinkedHashMap<>();
  private final Map<String, ItemSource> sources = new LinkedHashMap<>();
  private final WorkerFunctions functions;
  private final Supplier<LambdaClient> lambda;

  public WorkerRegistry(List<TaskWorker> workers) {
    this(workers, List.of());
  }

  /** With plug-in item sources ({@code source.type: "worker"}). */
  public WorkerRegistry(List<TaskWorker> workers, List<ItemSource> sources) {
    this(workers, sources, WorkerFunctions.none(), WorkerRegistry::noLambdaClient);
  }

  private WorkerRegistry(
      List<TaskWorker> workers,
      List<ItemSource> sources,
      WorkerFunctions functions,
      Supplier<LambdaClient> lambda) {
    for (TaskWorker worker : workers) {
      if (this.workers.putIfAbsent(worker.name(), worker) != null) {
        throw new IllegalArgumentException("two workers are named " + worker.name());
      }
    }
    for (ItemSource source : sources) {
      if (this.sources.putIfAbsent(source.name(), source) != null) {
        throw new IllegalArgumentException("two item sources are named " + source.name());
      }
    }
    this.functions = functions;
    this.lambda = lambda;
  }

  private static LambdaClient noLambdaClient() {
    throw new IllegalStateException(
        "this registry has no Lambda client: bind it to the function's environment"
            + " (WorkerRegistry.boundTo)");
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
    all.addAll(plugins(TaskWorker.class, loader));
    return new WorkerRegistry(all, plugins(ItemSource.class, loader));
  }

  private static <T> List<T> plugins(Class<T> type, ClassLoader loader) {
    List<T> found = new ArrayList<>();
    try {
      for (T plugin : ServiceLoader.load(type, loader)) {
        found.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "a plug-in "
              + (type == TaskWorker.class ? "worker" : "item source")
              + " could not be loaded ("
              + e.getMessage()
              + "): each class listed in META-INF/services/"
              + type.getName()
              + " must implement it and have a public no-argument constructor",
          e);
    }
    return found;
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
    return new WorkerRegistry(
        bound, List.copyOf(sources.values()), WorkerFunctions.fromEnvironment(env), lambda);
  }

  @Override
  public Optional<ItemSource> findSource(String name) {
    return Optional.ofNullable(sources.get(name));
  }

  @Override
  public List<String> sourceNames() {
    return List.copyOf(sources.keySet());
  }

  /**
   * What discovers the items of {@code source}: the built-in range, a plug-in by name, or a Lambda
   * function (one this registry's environment allows, with its Lambda client).
   *
   * @throws IllegalArgumentException if a plug-in source is not installed here
   */
  public ItemSource source(RunSource source) {
    if (source instanceof RunSource.Range range) {
      return new RangeSource(range);
    }
    if (source instanceof RunSource.Lambda function) {
      return new LambdaItemSource(function, functions, lambda);
    }
    String name = ((RunSource.Plugin) source).name();
    return findSource(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no item source named '"
                        + name
                        + "' is installed in this function: deploy the plug-in jar that offers it"
                        + " (hubspoke:workerJars)"));
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
