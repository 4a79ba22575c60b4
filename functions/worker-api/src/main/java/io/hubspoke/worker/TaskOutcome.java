package io.hubspoke.worker;

import com.fasterxml.jackson.databind.JsonNode;

/** What a worker returns: a result to commit, or a failure that may be retried. */
public sealed interface TaskOutcome {
  record Success(JsonNode result) implements TaskOutcome {}

  record Failure(String errorType, String message, boolean retryable) implements TaskOutcome {}

  static TaskOutcome success(JsonNode result) {
    return new Success(result);
  }

  static TaskOutcome retryable(String errorType, String message) {
    return new Failure(errorType, message, true);
  }

  static TaskOutcome permanent(String errorType, String message) {
    return new Failure(errorType, message, false);
  }
}
