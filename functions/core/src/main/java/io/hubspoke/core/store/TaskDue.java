package io.hubspoke.core.store;

import io.hubspoke.core.model.TaskStatus;
import java.time.Instant;

/**
 * A task as the sweep reads it: its state, and when its message should have been received, without
 * its item or result.
 *
 * @param dueAt when the task's message becomes receivable: its creation, or the end of its retry
 *     backoff
 * @param leaseUntil the lease of a RUNNING task, after which its message comes back
 * @param resends how many times the sweep has sent its message again
 * @param resentAt when the sweep last sent it again (null: never)
 * @param finishedAt when a terminal task became terminal
 * @param round the redrive round of its current attempts
 */
public record TaskDue(
    int index,
    TaskStatus status,
    long version,
    Instant dueAt,
    Instant leaseUntil,
    int resends,
    Instant resentAt,
    Instant finishedAt,
    int round) {

  /** A task of the run's first round. */
  public TaskDue(
      int index,
      TaskStatus status,
      long version,
      Instant dueAt,
      Instant leaseUntil,
      int resends,
      Instant resentAt,
      Instant finishedAt) {
    this(index, status, version, dueAt, leaseUntil, resends, resentAt, finishedAt, 0);
  }

  /**
   * When a claim should have happened: a PENDING task once its message is receivable, a RUNNING one
   * once its lease has ended too (its owner died or overran). Null for a terminal task.
   */
  public Instant due() {
    if (status.isTerminal()) {
      return null;
    }
    if (status == TaskStatus.RUNNING && leaseUntil != null) {
      return dueAt == null || leaseUntil.isAfter(dueAt) ? leaseUntil : dueAt;
    }
    return dueAt == null ? Instant.EPOCH : dueAt;
  }
}
