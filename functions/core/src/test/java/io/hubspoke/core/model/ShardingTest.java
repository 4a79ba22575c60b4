package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardingTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 199, 200, 201, 1000, 10_000, 100_003})
  void everyTaskHasOneShardAndPositionAndShardSizesAddUp(int total) {
    Sharding sharding = Sharding.forTotal(total);
    int sum = 0;
    for (int shard = 0; shard < sharding.shardCount(); shard++) {
      int size = sharding.shardSize(shard);
      assertTrue(size <= Sharding.MAX_TASKS_PER_SHARD, "shard " + shard + " holds " + size);
      sum += size;
    }
    assertEquals(total, sum);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < total; i++) {
      int shard = sharding.shardOf(i);
      int position = sharding.positionInShard(i);
      assertTrue(position < sharding.shardSize(shard));
      assertEquals(i, sharding.taskIndex(shard, position));
      assertTrue(seen.add(shard + "/" + position));
    }
  }
}
