package io.hubspoke.core.store;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.model.RunSpec;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table's partition layout, shared by every item kind, and the attribute value helpers their
 * mappings ({@link RunItem}, {@link TaskItem}, {@link ShardCounterItem}, {@link ChunkItem}) use.
 */
final class Items {
  static final String PK = TableSchema.PARTITION_KEY;
  static final String SK = TableSchema.SORT_KEY;
  private static final String RUN_PREFIX = "RUN#";
  private static final String SHARD_MARK = "#S";

  private Items() {}

  static String runPk(String runId) {
    return RUN_PREFIX + runId;
  }

  /** The run id of a run item's partition key ({@link #runPk}). */
  static String runIdOf(String runPk) {
    return runPk.substring(RUN_PREFIX.length());
  }

  /**
   * Each shard of a run is its own partition key: its tasks and its completion counter. The
   * incarnation keeps a run created again under the same id (after the first expired) apart from
   * whatever TTL has not yet deleted of the first.
   */
  static String shardPk(RunSpec spec, int shard) {
    return shardPk(spec.runId(), spec.incarnation(), shard);
  }

  static String shardPk(String runId, String incarnation, int shard) {
    return RUN_PREFIX + runId + "#" + incarnation + SHARD_MARK + shard;
  }

  /** The shard number of a {@link #shardPk}. */
  static int shardOf(String shardPk) {
    return Integer.parseInt(shardPk.substring(shardPk.lastIndexOf(SHARD_MARK) + 2));
  }

  /** The partition of a run's gate item: present once the run is cancelled. */
  static String gatePk(RunSpec spec) {
    return RUN_PREFIX + spec.runId() + "#" + spec.incarnation() + "#G";
  }

  /** Each chunk of a run's durable request is its own partition key (a 5 MB request spreads). */
  static String chunkPk(RunSpec spec, int chunk) {
    return RUN_PREFIX + spec.runId() + "#" + spec.incarnation() + "#D" + chunk;
  }

  /** The TTL attribute's value: every item of a run expires with it. */
  static AttributeValue expiry(RunSpec spec) {
    return n(spec.expiresAt().getEpochSecond());
  }

  /**
   * The condition that an item is in redrive round {@code round}, its round attribute named {@code
   * #round} (absent counts as round 0); puts {@code :round} into {@code values}.
   */
  static String inRound(int round, Map<String, AttributeValue> values) {
    values.put(":round", n(round));
    return round == 0 ? "attribute_not_exists(#round) OR #round = :round" : "#round = :round";
  }

  static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(PK, s(pk), SK, s(sk));
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  static AttributeValue millis(Instant instant) {
    return n(instant.toEpochMilli());
  }

  static String string(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    return value == null ? null : value.s();
  }

  static Long number(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    return value == null || value.n() == null ? null : Long.parseLong(value.n());
  }

  static int integer(Map<String, AttributeValue> item, String name, int dflt) {
    Long value = number(item, name);
    return value == null ? dflt : value.intValue();
  }

  static Instant instant(Map<String, AttributeValue> item, String name) {
    Long value = number(item, name);
    return value == null ? null : Instant.ofEpochMilli(value);
  }

  static java.util.Set<Integer> numberSet(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item == null ? null : item.get(name);
    if (value == null || !value.hasNs()) {
      return java.util.Set.of();
    }
    java.util.Set<Integer> numbers = new java.util.TreeSet<>();
    value.ns().forEach(v -> numbers.add(Integer.parseInt(v)));
    return numbers;
  }

  static int setSize(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item == null ? null : item.get(name);
    return value == null || !value.hasNs() ? 0 : value.ns().size();
  }
}
