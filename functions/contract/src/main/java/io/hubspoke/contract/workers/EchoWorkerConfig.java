package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code echo} worker takes no settings. */
public final class EchoWorkerConfig implements WorkerConfigSchema {
  public static final EchoWorkerConfig SCHEMA = new EchoWorkerConfig();

  private EchoWorkerConfig() {}

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of(), errors);
    return errors;
  }
}
