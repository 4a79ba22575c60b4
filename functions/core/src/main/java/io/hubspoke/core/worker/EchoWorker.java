package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.EchoWorkerConfig;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.util.List;

/** Returns the item as the result. Useful to measure the orchestration alone. */
public final class EchoWorker implements TaskWorker {
  @Override
  public String name() {
    return "echo";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return EchoWorkerConfig.SCHEMA.validateConfig(config);
  }

  @Override
  public TaskOutcome execute(TaskContext context) {
    return TaskOutcome.success(context.item());
  }
}
