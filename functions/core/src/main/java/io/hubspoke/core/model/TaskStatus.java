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
  FAILED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED;
  }

  public Set<TaskStatus> allowedNext() {
    return switch (this) {
      case PENDING -> EnumSet.of(RUNNING);
      case RUNNING -> EnumSet.of(RUNNING, PENDING, SUCCEEDED, FAILED);
      case SUCCEEDED -> EnumSet.noneOf(TaskStatus.class);
      case FAILED -> EnumSet.of(PENDING);
    };
  }

  public boolean canTransitionTo(TaskStatus next) {
    return allowedNext().contains(next);
  }
}
