package io.hubspoke.core.store;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A run item as stored. */
public record RunRecord(
    RunSpec spec,
    RunStatus status,
    String requestHash,
    Optional<String> idempotencyKey,
    Set<Integer> dispatchedChunks,
    Instant dispatchProgressAt,
    Instant dispatchedAt,
    Instant drainedAt,
    String summaryJson,
    Instant completedAt,
    Instant completedEventAt,
    Set<Integer> drainedShards) {

  public String runId() {
    return spec.runId();
  }

  /** The tasks that exist: those of the chunks whose dispatch finished. */
  public int tasksCreated() {
    return dispatchedAt != null ? spec.total() : spec.tasksIn(dispatchedChunks);
  }
}
