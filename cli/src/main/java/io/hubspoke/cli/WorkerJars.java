package io.hubspoke.cli;

import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.TaskWorker;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The plug-in jars given with {@code --worker-jar}: loaded in one class loader beside the CLI's, so
 * the hub validates and the spokes run with the same classes, as a Lambda layer gives them to the
 * functions on AWS.
 */
final class WorkerJars {
  static final String WORKERS_SERVICE = "META-INF/services/" + TaskWorker.class.getName();
  static final String SOURCES_SERVICE = "META-INF/services/" + ItemSource.class.getName();

  private WorkerJars() {}

  /** The built-in workers and those of {@code jars}; a usage error names the jar and the fix. */
  static WorkerRegistry registry(List<Path> jars) {
    if (jars.isEmpty()) {
      return WorkerRegistry.builtIn();
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      check(jar);
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new UsageException(
            "--worker-jar " + jar + " is not a usable path: " + e.getMessage());
      }
    }
    // Never closed: the workers' classes are used until the runtime stops, with the process.
    URLClassLoader loader =
        new URLClassLoader(urls.toArray(URL[]::new), WorkerJars.class.getClassLoader());
    try {
      return WorkerRegistry.withPlugins(loader);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new UsageException("--worker-jar: " + e.getMessage());
    }
  }

  private static void check(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new UsageException(
          "--worker-jar " + jar + " is not a file: give the path of your workers' jar");
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      if (file.getEntry(WORKERS_SERVICE) == null && file.getEntry(SOURCES_SERVICE) == null) {
        throw new UsageException(
            "--worker-jar "
                + jar
                + " offers no worker: list your TaskWorker classes, one per line, in "
                + WORKERS_SERVICE
                + " (or your ItemSource classes in "
                + SOURCES_SERVICE
                + ")");
      }
    } catch (IOException e) {
      throw new UsageException(
          "--worker-jar " + jar + " is not a readable jar (" + e.getMessage() + ")");
    }
  }
}
