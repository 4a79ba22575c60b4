package io.hubspoke.core.store;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import java.time.Instant;
import java.util.Optional;

/** A run item as stored. */
public record RunRecord(
    RunSpec spec,
    RunStatus status,
    String requestHash,
    Optional<String> idempotencyKey,
    String dispatchOwner,
    Instant dispatchLeaseUntil,
    Instant dispatchedAt,
    Instant drainedAt,
    String summaryJson,
    Instant completedAt,
    Instant completedEventAt) {

  public String runId() {
    return spec.runId();
  }
}
