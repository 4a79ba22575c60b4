package io.hubspoke.core.store;

import io.hubspoke.core.model.TaskRecord;

/** The outcome of an owner's heartbeat: the lease extended, or the task lost to another claim. */
public sealed interface HeartbeatResult {
  /** The lease now ends later; {@code lease} carries the version every later write must name. */
  record Extended(Lease lease) implements HeartbeatResult {}

  /**
   * The task moved on without this owner (taken over, or finished); {@code current} may be null.
   */
  record Lost(TaskRecord current) implements HeartbeatResult {}
}
