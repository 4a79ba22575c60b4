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
    Instant startedAt) {

  /** The same claim after a heartbeat: the version it wrote and the lease's new end. */
  public Lease extended(long newVersion, Instant newLeaseUntil) {
    return new Lease(
        runId, incarnation, index, shard, owner, newVersion, attempt, newLeaseUntil, startedAt);
  }
}
