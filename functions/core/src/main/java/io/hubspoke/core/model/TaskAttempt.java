package io.hubspoke.core.model;

import java.time.Instant;

/**
 * One attempt of a task, as its history in the task item keeps it.
 *
 * @param owner the claim's token ({@code spoke-<instance>/<uuid>}): which spoke ran it
 * @param endedAt null while it runs, or if its owner never recorded an end (it died; a later claim
 *     took the task over, or the lease expired)
 * @param outcome null while it runs; else {@code SUCCEEDED}, {@code FAILED} (for good), {@code
 *     RETRY} (released for another attempt), {@code LEASE_EXPIRED} or {@code CANCELLED}
 * @param attempt the attempt's number within its round (attempts start again at 1 per redrive)
 * @param round the redrive round it belongs to: 0 for the run's first, n for its n-th redrive
 */
public record TaskAttempt(
    int attempt,
    String owner,
    Instant startedAt,
    Instant endedAt,
    String outcome,
    String errorType,
    String errorMessage,
    int round) {

  /** An attempt of the run's first round (no redrive). */
  public TaskAttempt(
      int attempt,
      String owner,
      Instant startedAt,
      Instant endedAt,
      String outcome,
      String errorType,
      String errorMessage) {
    this(attempt, owner, startedAt, endedAt, outcome, errorType, errorMessage, 0);
  }
}
