package io.hubspoke.core.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a task and the only transitions allowed between them. Every task write in {@code
 * TaskStore} is one {@link TaskTransition}, and every transition is one of these edges.
 */
public enum TaskStatus {
  /** Written by the hub, or released for another attempt; waiting for a claim. */
  PENDING,
  /**
   * Claimed by one owner under a lease; another claimer may take it over once the lease expires.
   */
  RUNNING,
  /** Committed result. Final. */
  SUCCEEDED,
  /** Failed for good (non-retryable error or attempts exhausted). Only a redrive revives it. */
  FAILED,
  /**
   * Its run was cancelled before the task started (or before its next attempt). Final, unless a
   * redrive revives it.
   */
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public Set<TaskStatus> allowedNext() {
    return switch (this) {
      case PENDING -> EnumSet.of(RUNNING, CANCELLED);
      // RUNNING -> CANCELLED: a spoke that claimed a task of a cancelled run gives it up unrun.
      case RUNNING -> EnumSet.of(RUNNING, PENDING, SUCCEEDED, FAILED, CANCELLED);
      case SUCCEEDED -> EnumSet.noneOf(TaskStatus.class);
      // A redrive revives failed and cancelled tasks into the run's next round.
      case FAILED, CANCELLED -> EnumSet.of(PENDING);
    };
  }

  public boolean canTransitionTo(TaskStatus next) {
    return allowedNext().contains(next);
  }
}
