package io.hubspoke.worker;

import java.time.Instant;

/**
 * The spoke's side of a {@link TaskContext}: the task's lease, which the worker's heartbeats
 * extend. Workers never implement it; the spoke does, and a test may give a {@link #fixed} one.
 */
public interface TaskLease {
  /** The worker's deadline as it stands now: heartbeats move it later. */
  Instant deadline();

  /**
   * Extends the lease when enough of it has passed, and says whether it still holds.
   *
   * @return false once the task has been taken over (or the spoke gave up waiting): stop working
   */
  boolean heartbeat();

  /** A lease that never moves and always holds: a context built without a spoke. */
  static TaskLease fixed(Instant deadline) {
    return new TaskLease() {
      @Override
      public Instant deadline() {
        return deadline;
      }

      @Override
      public boolean heartbeat() {
        return true;
      }
    };
  }
}
