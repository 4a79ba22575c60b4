package io.hubspoke.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** What a worker knows about the task it runs. */
public record TaskContext(
    String runId,
    String taskId,
    int taskIndex,
    int attempt,
    int maxAttempts,
    JsonNode item,
    JsonNode config,
    Instant deadline,
    Clock clock) {

  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
