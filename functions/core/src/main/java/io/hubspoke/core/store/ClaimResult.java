package io.hubspoke.core.store;

import io.hubspoke.core.model.TaskRecord;

/** The outcome of a claim. Losing is normal: the message is acknowledged and no work is done. */
public sealed interface ClaimResult {
  /** This claimer owns the task until {@link Lease#leaseUntil()}. */
  record Claimed(Lease lease, TaskRecord task) implements ClaimResult {}

  /** The task already succeeded or failed. */
  record AlreadyTerminal(TaskRecord task) implements ClaimResult {}

  /** Another owner holds a live lease. */
  record LeasedByOther(TaskRecord task) implements ClaimResult {}

  /** The lease of the final attempt expired: the task must be failed, not run again. */
  record AttemptsExhausted(TaskRecord task) implements ClaimResult {}

  /** No such task. */
  record NotFound() implements ClaimResult {}
}
