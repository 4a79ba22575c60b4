package io.hubspoke.infra.constructs;

import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.contract.workers.WorkerConfigSchema;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.worker.ItemSource;
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
 * The workers and item sources a deployment with worker jars offers, as the hub will see them: the
 * built-in ones and the plug-ins the jars list for {@link ServiceLoader}. Scheduled runs are
 * checked against these at synth, with the plug-ins' own config rules, so a schedule naming a
 * plug-in is accepted and one with a bad config for it fails the synth, as its firing would fail on
 * AWS.
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
    for (TaskWorker plugin : plugins(TaskWorker.class, loader, jars)) {
      if (byName.putIfAbsent(plugin.name(), plugin) != null) {
        throw new IllegalArgumentException(
            "two workers are named " + plugin.name() + " (in the worker jars " + jars + ")");
      }
    }
    Map<String, WorkerConfigSchema> sources = new LinkedHashMap<>();
    for (ItemSource source : plugins(ItemSource.class, loader, jars)) {
      if (sources.putIfAbsent(source.name(), source) != null) {
        throw new IllegalArgumentException(
            "two item sources are named " + source.name() + " (in the worker jars " + jars + ")");
      }
    }
    List<String> names = List.copyOf(byName.keySet());
    List<String> sourceNames = List.copyOf(sources.keySet());
    return new WorkerCatalog() {
      @Override
      public Optional<WorkerConfigSchema> find(String name) {
        return Optional.ofNullable(byName.get(name));
      }

      @Override
      public List<String> names() {
        return names;
      }

      @Override
      public Optional<WorkerConfigSchema> findSource(String name) {
        return Optional.ofNullable(sources.get(name));
      }

      @Override
      public List<String> sourceNames() {
        return sourceNames;
      }
    };
  }

  private static <T> List<T> plugins(Class<T> type, ClassLoader loader, List<Path> jars) {
    List<T> found = new ArrayList<>();
    try {
      for (T plugin : ServiceLoader.load(type, loader)) {
        found.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalArgumentException(
          "a plug-in in the worker jars "
              + jars
              + " could not be loaded ("
              + e.getMessage()
              + "): each class listed in META-INF/services/"
              + type.getName()
              + " must implement it and have a public no-argument constructor",
          e);
    }
    return found;
  }
}
