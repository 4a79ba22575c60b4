package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.List;

/**
 * A worker as the request sees it: its name and the rules of its {@code workerConfig}. The hub
 * checks a run's config against these at submission, and the CDK stack checks each scheduled run's
 * at synth, so a config no task could run with is refused before any task exists.
 */
public interface WorkerConfigSchema {
  String name();

  /** Problems with this worker's {@code workerConfig}; field names are relative to it. */
  List<FieldError> validateConfig(JsonNode config);
}
