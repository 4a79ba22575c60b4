package io.hubspoke.core.model;

/**
 * How a run's tasks are spread over partition keys. A shard holds at most {@link
 * #MAX_TASKS_PER_SHARD} tasks, so its completion counter item (a number set of positions) stays
 * under 1 KB (one write unit) and takes at most a few hundred writes over the whole run.
 *
 * <p>A run of given items knows its total at creation and interleaves: task {@code i} lives in
 * shard {@code i % shardCount}, at position {@code i / shardCount}, so the tasks running at one
 * time spread over every shard. A discovered run does not know its total until discovery ends, so
 * its shards are contiguous: task {@code i} lives in shard {@code i / 200}, at position {@code i %
 * 200}, whatever comes after it; its {@code total} is {@link #UNKNOWN} until then, and every shard
 * counts as full-sized.
 */
public record Sharding(int total, int shardCount, boolean contiguous) {
  public static final int MAX_TASKS_PER_SHARD = 200;

  /** The total of a discovered run whose discovery has not ended. */
  public static final int UNKNOWN = -1;

  public Sharding {
    if (contiguous ? total < UNKNOWN : total < 0 || shardCount < 1) {
      throw new IllegalArgumentException("total " + total + ", shardCount " + shardCount);
    }
  }

  public Sharding(int total, int shardCount) {
    this(total, shardCount, false);
  }

  public static Sharding forTotal(int total) {
    return new Sharding(total, Math.max(1, ceilDiv(total, MAX_TASKS_PER_SHARD)));
  }

  /**
   * A discovered run's sharding: {@code total} as far as known ({@link #UNKNOWN} while discovery
   * goes on), and the shards that hold it.
   */
  public static Sharding contiguous(int total, int tasksSoFar) {
    return new Sharding(total, ceilDiv(Math.max(0, tasksSoFar), MAX_TASKS_PER_SHARD), true);
  }

  public boolean totalKnown() {
    return total != UNKNOWN;
  }

  public int shardOf(int taskIndex) {
    return contiguous ? taskIndex / MAX_TASKS_PER_SHARD : taskIndex % shardCount;
  }

  public int positionInShard(int taskIndex) {
    return contiguous ? taskIndex % MAX_TASKS_PER_SHARD : taskIndex / shardCount;
  }

  public int taskIndex(int shard, int position) {
    return contiguous ? shard * MAX_TASKS_PER_SHARD + position : position * shardCount + shard;
  }

  /** Number of tasks in {@code shard}; for a discovered run whose total is unknown, the most. */
  public int shardSize(int shard) {
    if (contiguous) {
      return totalKnown()
          ? Math.max(0, Math.min(MAX_TASKS_PER_SHARD, total - shard * MAX_TASKS_PER_SHARD))
          : MAX_TASKS_PER_SHARD;
    }
    return total / shardCount + (shard < total % shardCount ? 1 : 0);
  }

  public static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
