package io.hubspoke.core.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * The named task writes. Each is conditional on the task being in one of {@link #from()} (and, for
 * every write but the claim, on the owner and version the writer holds).
 */
public enum TaskTransition {
  /** A spoke takes a PENDING task, or a RUNNING task whose lease has expired. */
  CLAIM(EnumSet.of(TaskStatus.PENDING, TaskStatus.RUNNING), TaskStatus.RUNNING),
  /**
   * The owner, still at work, extends its lease (a worker's heartbeat): RUNNING stays RUNNING under
   * the same owner with the version bumped, so a takeover meanwhile makes it a lost race.
   */
  HEARTBEAT(EnumSet.of(TaskStatus.RUNNING), TaskStatus.RUNNING),
  /** The owner commits a result. */
  COMPLETE(EnumSet.of(TaskStatus.RUNNING), TaskStatus.SUCCEEDED),
  /** The owner records a final failure. */
  FAIL(EnumSet.of(TaskStatus.RUNNING), TaskStatus.FAILED),
  /** The owner gives the task back after a retryable failure. */
  RELEASE(EnumSet.of(TaskStatus.RUNNING), TaskStatus.PENDING),
  /** A claimer finds a lease expired on the final attempt and fails the task. */
  EXPIRE(EnumSet.of(TaskStatus.RUNNING), TaskStatus.FAILED),
  /**
   * A redrive gives a failed or cancelled task another round of attempts (conditional on the
   * version read).
   */
  REVIVE(EnumSet.of(TaskStatus.FAILED, TaskStatus.CANCELLED), TaskStatus.PENDING),
  /** Its run is cancelled: a waiting task never starts (conditional on the version read). */
  CANCEL(EnumSet.of(TaskStatus.PENDING), TaskStatus.CANCELLED),
  /**
   * Its run is cancelled: the spoke that just claimed it learns so before running it, and gives it
   * up unrun.
   */
  CANCEL_CLAIMED(EnumSet.of(TaskStatus.RUNNING), TaskStatus.CANCELLED);

  private final Set<TaskStatus> from;
  private final TaskStatus to;

  TaskTransition(Set<TaskStatus> from, TaskStatus to) {
    this.from = from;
    this.to = to;
  }

  public Set<TaskStatus> from() {
    return EnumSet.copyOf(from);
  }

  public TaskStatus to() {
    return to;
  }
}
