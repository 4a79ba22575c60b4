package io.hubspoke.core.store;

import java.time.Instant;

/** The terminal tasks counted in one shard, and when the count last changed (null: never). */
public record ShardCount(
    int shard, int succeeded, int failed, int cancelled, int size, Instant updatedAt) {
  public boolean drained() {
    return succeeded + failed + cancelled >= size;
  }
}
