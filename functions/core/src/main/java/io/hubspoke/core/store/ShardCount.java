package io.hubspoke.core.store;

/** The terminal tasks counted in one shard. */
public record ShardCount(int shard, int succeeded, int failed, int size) {
  public boolean drained() {
    return succeeded + failed >= size;
  }
}
