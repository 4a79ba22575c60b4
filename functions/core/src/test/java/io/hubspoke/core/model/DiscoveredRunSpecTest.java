package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A discovered run: its chunks and shards as far as discovery got, and once it ended. */
class DiscoveredRunSpecTest {
  static RunSpec discovered(int total, List<Integer> chunkStarts, boolean ended) {
    Instant now = Instant.parse("2026-11-30T00:00:00Z");
    return RunSpec.builder()
        .runId("r-0123456789abcdef01234567")
        .incarnation("0123456789ab")
        .worker("echo")
        .workerConfig(Json.object())
        .maxAttempts(3)
        .taskTimeoutSeconds(60)
        .total(total)
        .shardCount(Sharding.ceilDiv(total, Sharding.MAX_TASKS_PER_SHARD))
        .chunkSize(50)
        .createdAt(now)
        .expiresAt(now.plusSeconds(86_400))
        .discovery(new RunSpec.Discovery(new RunSource.Range(0, 1_000_000, 1), chunkStarts, ended))
        .build();
  }

  @Test
  void chunksOfUnevenPagesCoverEveryTaskOnce() {
    // Two pages: 120 items in chunks of 50, 50, 20; then 7 items in one chunk.
    RunSpec spec = discovered(127, List.of(0, 50, 100, 120), false);
    assertEquals(4, spec.chunkCount());
    assertEquals(
        List.of(50, 50, 20, 7),
        List.of(
            spec.chunkLength(0), spec.chunkLength(1), spec.chunkLength(2), spec.chunkLength(3)));
    assertEquals(27, spec.tasksIn(Set.of(2, 3)));
    // A chunk a later read will know of is not counted by this one.
    assertEquals(7, spec.tasksIn(Set.of(3, 4)));
  }

  @Test
  void untilDiscoveryEndsTheTotalIsUnknownAndShardsAreContiguousAndFull() {
    RunSpec spec = discovered(450, List.of(0, 200, 400), false);
    assertFalse(spec.totalKnown());
    Sharding sharding = spec.sharding();
    assertTrue(sharding.contiguous());
    assertFalse(sharding.totalKnown());
    assertEquals(3, sharding.shardCount());
    assertEquals(2, sharding.shardOf(449));
    assertEquals(49, sharding.positionInShard(449));
    // The last shard may still grow: every shard counts as full-sized.
    assertEquals(200, sharding.shardSize(2));

    RunSpec ended = discovered(450, List.of(0, 200, 400), true);
    assertTrue(ended.totalKnown());
    assertEquals(50, ended.sharding().shardSize(2));
    assertEquals(200, ended.sharding().shardSize(1));
    // Where a task lives never depends on the total.
    assertEquals(sharding.shardOf(449), ended.sharding().shardOf(449));
  }

  @Test
  void contiguousShardingMapsEveryTaskToOnePlace() {
    Sharding sharding = Sharding.contiguous(1_001, 1_001);
    assertEquals(6, sharding.shardCount());
    int sizes = 0;
    for (int shard = 0; shard < sharding.shardCount(); shard++) {
      sizes += sharding.shardSize(shard);
    }
    assertEquals(1_001, sizes);
    for (int index = 0; index < 1_001; index++) {
      int shard = sharding.shardOf(index);
      int position = sharding.positionInShard(index);
      assertTrue(position < sharding.shardSize(shard), "task " + index);
      assertEquals(index, sharding.taskIndex(shard, position));
    }
    assertEquals(0, Sharding.contiguous(0, 0).shardCount());
  }

  @Test
  void aDiscoverMessageRoundTrips() {
    RunSpec spec = discovered(0, List.of(), false);
    DispatchMessage message = DispatchMessage.discover(spec);
    assertTrue(message.isDiscover());
    assertEquals(message, DispatchMessage.parse(message.toJson()));
    assertTrue(message.toJson().contains("\"discover\":true"), message.toJson());
    DispatchMessage chunk = new DispatchMessage(spec.runId(), spec.incarnation(), 0);
    assertFalse(DispatchMessage.parse(chunk.toJson()).isDiscover());
  }
}
