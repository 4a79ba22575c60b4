package io.hubspoke.core.store;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A shard's completion counter item: under the shard's partition key, beside its tasks, the
 * positions in the shard of its terminal tasks in two number sets. Read as a {@link ShardCount}.
 */
final class ShardCounterItem {
  static final String SK = "C";

  /** Number set: the positions in the shard of the tasks that succeeded. */
  static final String SUCCEEDED = "succeeded";

  /** Number set: the positions in the shard of the tasks that failed. */
  static final String FAILED = "failed";

  /** Number set: the positions in the shard of the tasks cancelled before they ran. */
  static final String CANCELLED = "cancelled";

  static final String UPDATED_AT = "updatedAt";

  /**
   * A discovered run's last shard holds fewer than 200 tasks; the end of discovery writes how many
   * here, so a spoke that counts a task learns whether the shard is full from its own write.
   */
  static final String SIZE = "size";

  /**
   * The redrive round whose tasks the counter counts (absent: 0). A redrive moves it on and takes
   * the revived tasks out of the sets in the same write; a count from an earlier round (a spoke
   * late to count a task since revived) then fails its condition instead of counting it again.
   */
  static final String ROUND = "round";

  private ShardCounterItem() {}

  static int round(Map<String, AttributeValue> item) {
    return item == null ? 0 : Items.integer(item, ROUND, 0);
  }

  static Map<String, AttributeValue> key(RunSpec spec, int shard) {
    return Items.key(Items.shardPk(spec, shard), SK);
  }

  /** The shard a counter item counts. */
  static int shardOf(Map<String, AttributeValue> item) {
    return Items.shardOf(item.get(Items.PK).s());
  }

  /**
   * @param item the counter item, or null if the shard has none yet (no task counted)
   */
  static ShardCount toCount(int shard, Sharding sharding, Map<String, AttributeValue> item) {
    return new ShardCount(
        shard,
        Items.setSize(item, SUCCEEDED),
        Items.setSize(item, FAILED),
        Items.setSize(item, CANCELLED),
        item != null && item.containsKey(SIZE)
            ? Items.integer(item, SIZE, sharding.shardSize(shard))
            : sharding.shardSize(shard),
        item == null ? null : Items.instant(item, UPDATED_AT),
        round(item));
  }

  /**
   * The positions the counter holds, succeeded or failed.
   *
   * @param item the counter item, or null if the shard has none yet (no task counted)
   */
  static Set<Integer> positions(Map<String, AttributeValue> item) {
    Set<Integer> positions = new HashSet<>();
    if (item != null) {
      positions.addAll(Items.numberSet(item, SUCCEEDED));
      positions.addAll(Items.numberSet(item, FAILED));
      positions.addAll(Items.numberSet(item, CANCELLED));
    }
    return positions;
  }
}
