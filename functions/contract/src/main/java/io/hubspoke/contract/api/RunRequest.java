package io.hubspoke.contract.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A validated request to start a run. {@code itemsJson} holds each item as compact JSON text, the
 * form in which it is stored on its task; it is empty when {@code source} names where the hub
 * discovers them. {@code dispatch} says how its tasks reach their workers.
 */
public record RunRequest(
    List<String> itemsJson,
    String worker,
    JsonNode workerConfig,
    Optional<String> idempotencyKey,
    int maxAttempts,
    int taskTimeoutSeconds,
    Optional<RunSource> source,
    RetryPolicy retry,
    RunControls controls,
    Dispatch dispatch) {

  public RunRequest {
    itemsJson = List.copyOf(itemsJson);
    controls = controls == null ? RunControls.NONE : controls;
    dispatch = dispatch == null ? Dispatch.QUEUE : dispatch;
  }

  /** Whether the hub discovers the items ({@link #source}) rather than taking them. */
  public boolean discovers() {
    return source.isPresent();
  }
}
