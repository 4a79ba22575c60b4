package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.api.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Returns the item as the result. Useful to measure the orchestration alone. */
public final class EchoWorker implements TaskWorker {
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

  @Override
  public TaskOutcome execute(TaskContext context) {
    return TaskOutcome.success(context.item());
  }
}
