package io.hubspoke.core.store;

import java.time.Instant;

/**
 * The terminal tasks counted in one shard, and when the count last changed (null: never).
 *
 * @param round the redrive round the counter is in: the round of the tasks it may count
 */
public record ShardCount(
    int shard, int succeeded, int failed, int cancelled, int size, Instant updatedAt, int round) {
  public boolean drained() {
    return succeeded + failed + cancelled >= size;
  }
}
