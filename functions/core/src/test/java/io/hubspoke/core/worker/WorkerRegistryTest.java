package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import org.junit.jupiter.api.Test;

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
}
