package io.hubspoke.contract.workers;

import java.util.List;
import java.util.Optional;

/**
 * The config rules of the workers every deployment has ({@code echo}, {@code sleep}, {@code http},
 * {@code lambda}), for whoever validates requests without running them (the CDK stack at synth).
 */
public final class BuiltInWorkers {
  private BuiltInWorkers() {}

  /** With a {@code lambda} worker that allows no function. */
  public static WorkerCatalog catalog() {
    return catalog(WorkerFunctions.none());
  }

  /** With a {@code lambda} worker that allows {@code functions}. */
  public static WorkerCatalog catalog(WorkerFunctions functions) {
    List<WorkerConfigSchema> schemas =
        List.of(
            EchoWorkerConfig.SCHEMA,
            SleepWorkerConfig.SCHEMA,
            HttpWorkerConfig.SCHEMA,
            LambdaWorkerConfig.allowing(functions));
    return new WorkerCatalog() {
      @Override
      public Optional<WorkerConfigSchema> find(String name) {
        return schemas.stream().filter(schema -> schema.name().equals(name)).findFirst();
      }

      @Override
      public List<String> names() {
        return schemas.stream().map(WorkerConfigSchema::name).toList();
      }
    };
  }
}
