package io.hubspoke.core.store;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A run item as stored.
 *
 * @param round the redrive round the run is in (0 until its first redrive)
 * @param redriveShards the shards the current round's redrive revives tasks in
 * @param redrives every redrive so far, oldest first
 * @param stopReason why the run was stopped without a user's cancel (its failures passed its
 *     tolerance; it then ends FAILED with this reason), or null
 * @param failuresRecorded for a run with a failure tolerance: the failures its shards' counters
 *     last reported (the sum of {@code failuresByShard})
 */
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
    Instant cancelRequestedAt,
    int round,
    Set<Integer> redriveShards,
    java.util.List<Redrive> redrives,
    String stopReason,
    int failuresRecorded) {

  /**
   * One redrive of the run.
   *
   * @param round the round it started (the n-th redrive starts round n)
   * @param statuses the task statuses it ran again
   * @param tasks how many tasks it revived
   * @param shards how many shards held them
   */
  public record Redrive(
      int round, Set<String> statuses, int tasks, int shards, Instant requestedAt) {}

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

  /** When the current round's redrive was asked for (null: never redriven). */
  public Instant redrivenAt() {
    return redrives.isEmpty() ? null : redrives.get(redrives.size() - 1).requestedAt();
  }

  /** The statuses the current round's redrive runs again (empty: never redriven). */
  public Set<String> redriveStatuses() {
    return redrives.isEmpty() ? Set.of() : redrives.get(redrives.size() - 1).statuses();
  }

  /** The tasks that exist: those of the chunks whose dispatch finished. */
  public int tasksCreated() {
    return dispatchedAt != null ? spec.total() : spec.tasksIn(dispatchedChunks);
  }
}
