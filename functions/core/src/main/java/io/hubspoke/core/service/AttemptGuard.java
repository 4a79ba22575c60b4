package io.hubspoke.core.service;

import java.time.Instant;

/**
 * What a heartbeat checks besides the task's own lease before extending it: that the attempt may go
 * on (its run was not cancelled or stopped meanwhile) and that whatever must outlast the lease (the
 * slot of a capped run, {@link io.hubspoke.core.store.RunSlots}) moves with it.
 */
@FunctionalInterface
interface AttemptGuard {
  /** Nothing to check: an uncapped run's attempt, in tests. */
  AttemptGuard NONE = leaseUntil -> true;

  /**
   * Called before the lease moves to {@code leaseUntil}.
   *
   * @return false if the attempt should stop instead: its run was stopped, or its slot is gone (its
   *     hold had ended and a spoke that needed the slot removed it)
   */
  boolean mayExtendTo(Instant leaseUntil);
}
