package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code sleep} worker's settings: {@code ms}, {@code failRate}, {@code flakyRate}. */
public final class SleepWorkerConfig implements WorkerConfigSchema {
  public static final SleepWorkerConfig SCHEMA = new SleepWorkerConfig();

  public static final long MAX_MS = 900_000;

  private SleepWorkerConfig() {}

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("ms", "failRate", "flakyRate"), errors);
    WorkerConfigs.longIn(config, "ms", 0, MAX_MS, 0, errors);
    WorkerConfigs.rate(config, "failRate", errors);
    WorkerConfigs.rate(config, "flakyRate", errors);
    return errors;
  }
}
