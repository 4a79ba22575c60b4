package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.api.FieldError;
import java.util.List;

/**
 * The work done for one task. A worker is chosen by name per run; it must finish by {@link
 * TaskContext#deadline()} and must not throw for expected failures: it returns a {@link
 * TaskOutcome}. Side effects outside hubspoke are at-least-once: use {@link TaskContext#taskId()}
 * (and the attempt) as an idempotency key where the target supports one.
 */
public interface TaskWorker {
  String name();

  /** Problems with this worker's {@code workerConfig}; field names are relative to it. */
  List<FieldError> validateConfig(JsonNode config);

  TaskOutcome execute(TaskContext context) throws InterruptedException;
}
