package io.hubspoke.core.model;

/**
 * How a run's tasks are spread over partition keys. Task {@code i} lives in shard {@code i %
 * shardCount}, at position {@code i / shardCount} within it. A shard holds at most {@link
 * #MAX_TASKS_PER_SHARD} tasks, so its completion counter item (a number set of positions) stays
 * under 1 KB (one write unit) and takes at most a few hundred writes over the whole run.
 */
public record Sharding(int total, int shardCount) {
  public static final int MAX_TASKS_PER_SHARD = 200;

  public Sharding {
    if (total < 0 || shardCount < 1) {
      throw new IllegalArgumentException("total " + total + ", shardCount " + shardCount);
    }
  }

  public static Sharding forTotal(int total) {
    return new Sharding(total, Math.max(1, ceilDiv(total, MAX_TASKS_PER_SHARD)));
  }

  public int shardOf(int taskIndex) {
    return taskIndex % shardCount;
  }

  public int positionInShard(int taskIndex) {
    return taskIndex / shardCount;
  }

  public int taskIndex(int shard, int position) {
    return position * shardCount + shard;
  }

  /** Number of tasks in {@code shard}. */
  public int shardSize(int shard) {
    return total / shardCount + (shard < total % shardCount ? 1 : 0);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
