package io.hubspoke.contract.workers;

import java.util.List;
import java.util.Optional;

/**
 * The config rules of the workers every deployment has ({@code echo}, {@code sleep}, {@code http}),
 * for whoever validates requests without running them (the CDK stack at synth).
 */
public final class BuiltInWorkers {
  private static final List<WorkerConfigSchema> SCHEMAS =
      List.of(EchoWorkerConfig.SCHEMA, SleepWorkerConfig.SCHEMA, HttpWorkerConfig.SCHEMA);

  private BuiltInWorkers() {}

  public static WorkerCatalog catalog() {
    return new WorkerCatalog() {
      @Override
      public Optional<WorkerConfigSchema> find(String name) {
        return SCHEMAS.stream().filter(schema -> schema.name().equals(name)).findFirst();
      }

      @Override
      public List<String> names() {
        return SCHEMAS.stream().map(WorkerConfigSchema::name).toList();
      }
    };
  }
}
