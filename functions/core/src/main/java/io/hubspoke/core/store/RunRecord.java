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
    Set<Integer> drainedShards,
    DiscoveryProgress discovery,
    Instant cancelRequestedAt) {

  /**
   * Where a discovered run's discovery stands (null for a run of given items).
   *
   * @param cursor the cursor of the next page to ask for (null: the first, or discovery ended)
   * @param pages pages checkpointed so far
   * @param attempt claims since the last checkpoint (a page that keeps failing fails the run)
   * @param owner the hub invocation that claimed discovery last
   * @param leaseUntil until when that claim holds (null once released)
   * @param progressAt the last claim or checkpoint: the sweep resumes a discovery stalled past it
   * @param endedAt when discovery ended (null while it goes on)
   * @param error why discovery failed, if it did (the run then ends FAILED)
   * @param lastError why the last attempt at a page failed, if one did (it will be asked again)
   */
  public record DiscoveryProgress(
      String cursor,
      int pages,
      int attempt,
      String owner,
      Instant leaseUntil,
      Instant progressAt,
      Instant endedAt,
      String error,
      String lastError) {}

  public String runId() {
    return spec.runId();
  }

  /** The tasks that exist: those of the chunks whose dispatch finished. */
  public int tasksCreated() {
    return dispatchedAt != null ? spec.total() : spec.tasksIn(dispatchedChunks);
  }
}
