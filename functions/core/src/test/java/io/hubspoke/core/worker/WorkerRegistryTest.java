package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.worker.TaskWorker;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CDK stack validates scheduled runs against {@link BuiltInWorkers}, the functions against
 * {@link WorkerRegistry#builtIn()}: the two must offer the same workers with the same rules.
 */
class WorkerRegistryTest {
  @Test
  void builtInWorkersAreTheContractsBuiltInCatalog() {
    WorkerRegistry registry = WorkerRegistry.builtIn();
    WorkerCatalog contract = BuiltInWorkers.catalog();
    assertEquals(contract.names(), registry.names());
    for (String name : registry.names()) {
      var config = Json.mapper().createObjectNode().put("unknownSetting", 1).put("url", "ftp://x");
      assertEquals(
          contract.find(name).orElseThrow().validateConfig(config),
          registry.find(name).orElseThrow().validateConfig(config),
          name);
    }
  }

  @Test
  void twoWorkersCannotShareAName() {
    var echo = new EchoWorker();
    var error =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new WorkerRegistry(java.util.List.of(echo, new EchoWorker())));
    assertEquals("two workers are named echo", error.getMessage());
    assertSame(echo, new WorkerRegistry(java.util.List.of(echo)).find("echo").orElseThrow());
  }

  @Test
  void aPluginThatCannotBeLoadedStopsTheFunctionWithWhatToFix(@TempDir Path dir) throws Exception {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(TaskWorker.class.getName()), "com.example.Missing\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      IllegalStateException error =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class, () -> WorkerRegistry.withPlugins(loader));
      org.junit.jupiter.api.Assertions.assertTrue(
          error.getMessage().contains("com.example.Missing")
              && error.getMessage().contains("public no-argument constructor"),
          error.getMessage());
    }
  }

  @Test
  void withoutPluginsTheRegistryIsTheBuiltInOne() {
    assertEquals(
        WorkerRegistry.builtIn().names(),
        WorkerRegistry.withPlugins(getClass().getClassLoader()).names());
  }
}
