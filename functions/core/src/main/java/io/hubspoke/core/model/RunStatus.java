package io.hubspoke.core.model;

import java.util.EnumSet;
import java.util.Set;

/** The states of a run and the transitions allowed between them. */
public enum RunStatus {
  /**
   * The hub is discovering the items from the run's source, page by page; each page's tasks are
   * dispatched as it is checkpointed, so spokes may already work.
   */
  DISCOVERING,
  /** The hub is writing tasks and sending their messages. Spokes may already work. */
  DISPATCHING,
  /** Every task has been written and sent. */
  RUNNING,
  /** Every task is terminal; one collector holds the summarizing lease. */
  SUMMARIZING,
  /** Summarized, no task failed (or fewer than the run tolerates). A redrive may rerun it. */
  SUCCEEDED,
  /** Summarized, at least one task failed. */
  FAILED,
  /**
   * Cancelled by a user, or stopped because its failures passed its tolerance: no task starts any
   * more (waiting ones become CANCELLED); running ones finish; then it is summarized (and ends
   * CANCELLED, or FAILED if stopped).
   */
  CANCELLING,
  /** Summarized after a cancel. */
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public Set<RunStatus> allowedNext() {
    return switch (this) {
      // The end of discovery fixes the total (a failed discovery too: the run ends FAILED once the
      // tasks it dispatched are summarized); a dispatch that fails mid-discovery fails the run.
      case DISCOVERING -> EnumSet.of(DISPATCHING, FAILED, CANCELLING);
      // A run can drain before the hub records the end of its dispatch; a request that cannot be
      // dispatched (a chunk that keeps failing or is gone) fails the run.
      case DISPATCHING -> EnumSet.of(RUNNING, SUMMARIZING, FAILED, CANCELLING);
      case RUNNING -> EnumSet.of(SUMMARIZING, CANCELLING);
      // A cancelled run whose request cannot be dispatched fails like any other.
      case CANCELLING -> EnumSet.of(SUMMARIZING, FAILED);
      // SUMMARIZING -> SUMMARIZING: a collector takes over a summary whose lease expired.
      case SUMMARIZING -> EnumSet.of(SUMMARIZING, SUCCEEDED, FAILED, CANCELLED);
      // A redrive runs a finished run's failed or cancelled tasks again, in its next round.
      case SUCCEEDED, FAILED, CANCELLED -> EnumSet.of(RUNNING);
    };
  }

  public boolean canTransitionTo(RunStatus next) {
    return allowedNext().contains(next);
  }
}
