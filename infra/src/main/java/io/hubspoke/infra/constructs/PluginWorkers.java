package io.hubspoke.infra.constructs;

import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.contract.workers.WorkerConfigSchema;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.worker.TaskWorker;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The workers a deployment with worker jars offers, as the hub will see them: the built-in ones and
 * the plug-ins the jars list for {@link ServiceLoader}. Scheduled runs are checked against these at
 * synth, with the plug-ins' own config rules, so a schedule naming a plug-in is accepted and one
 * with a bad config for it fails the synth, as its firing would fail on AWS.
 */
public final class PluginWorkers {
  private PluginWorkers() {}

  /**
   * @param functions the functions the {@code lambda} worker may invoke, which its config rule
   *     checks
   */
  public static WorkerCatalog catalog(List<Path> jars, WorkerFunctions functions) {
    WorkerCatalog builtIn = BuiltInWorkers.catalog(functions);
    if (jars.isEmpty()) {
      return builtIn;
    }
    Map<String, WorkerConfigSchema> byName = new LinkedHashMap<>();
    for (String name : builtIn.names()) {
      byName.put(name, builtIn.find(name).orElseThrow());
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("worker jar " + jar + ": " + e.getMessage(), e);
      }
    }
    // Never closed: the schemas are used while the app synthesizes, in this short-lived JVM.
    URLClassLoader loader =
        new URLClassLoader(urls.toArray(URL[]::new), PluginWorkers.class.getClassLoader());
    try {
      for (TaskWorker plugin : ServiceLoader.load(TaskWorker.class, loader)) {
        if (byName.putIfAbsent(plugin.name(), plugin) != null) {
          throw new IllegalArgumentException(
              "two workers are named " + plugin.name() + " (in the worker jars " + jars + ")");
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalArgumentException(
          "a worker in the worker jars could not be loaded ("
              + e.getMessage()
              + "): each class listed in META-INF/services/"
              + TaskWorker.class.getName()
              + " must implement it and have a public no-argument constructor",
          e);
    }
    List<String> names = List.copyOf(byName.keySet());
    return new WorkerCatalog() {
      @Override
      public Optional<WorkerConfigSchema> find(String name) {
        return Optional.ofNullable(byName.get(name));
      }

      @Override
      public List<String> names() {
        return names;
      }
    };
  }
}
