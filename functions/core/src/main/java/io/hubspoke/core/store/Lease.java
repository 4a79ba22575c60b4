package io.hubspoke.core.store;

import java.time.Instant;

/** What an owner holds after a claim: every later write is conditional on owner and version. */
public record Lease(
    String runId,
    String incarnation,
    int index,
    int shard,
    String owner,
    long version,
    int attempt,
    Instant leaseUntil,
    Instant startedAt,
    int round,
    int historyBase) {

  /** A lease on a task of the run's first round. */
  public Lease(
      String runId,
      String incarnation,
      int index,
      int shard,
      String owner,
      long version,
      int attempt,
      Instant leaseUntil,
      Instant startedAt) {
    this(runId, incarnation, index, shard, owner, version, attempt, leaseUntil, startedAt, 0, 0);
  }

  /** Where this attempt's entry sits in the task's history. */
  public int historyIndex() {
    return historyBase + Math.max(0, attempt - 1);
  }

  /** The same claim after a heartbeat: the version it wrote and the lease's new end. */
  public Lease extended(long newVersion, Instant newLeaseUntil) {
    return new Lease(
        runId,
        incarnation,
        index,
        shard,
        owner,
        newVersion,
        attempt,
        newLeaseUntil,
        startedAt,
        round,
        historyBase);
  }
}
