package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** The immutable part of a run: what to do for each task, fixed when the run is created. */
public record RunSpec(
    String runId,
    String worker,
    JsonNode workerConfig,
    int maxAttempts,
    int taskTimeoutSeconds,
    int total,
    int shardCount,
    Instant createdAt) {

  public Sharding sharding() {
    return new Sharding(total, shardCount);
  }
}
