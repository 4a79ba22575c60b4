package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.millis;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.model.TaskStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The per-shard completion counters ({@link ShardCounterItem}): each terminal task adds its
 * position in its shard to a number set, so a run learns that it drained without a per-task write
 * to one hot item.
 */
public final class ShardCounters {
  private final DynamoDbClient dynamoDb;
  private final String table;
  private final Clock clock;
  private final Backoff backoff;

  public ShardCounters(DynamoDbClient dynamoDb, String table, Clock clock, Backoff backoff) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    this.clock = clock;
    this.backoff = backoff;
  }

  /**
   * Counts a task as terminal in its shard's counter. Adding the task's position to a number set is
   * idempotent, so a retried or repeated call never counts it twice.
   */
  public ShardCount countTerminal(RunSpec spec, int index, TaskStatus status) {
    return countTerminal(spec, spec.sharding().shardOf(index), Map.of(index, status));
  }

  /**
   * Counts tasks of one shard as terminal with one write: a spoke counts the tasks a batch finished
   * together, so a batch of ten costs one counter write per shard it touches, not ten.
   *
   * @param statusByIndex each task's terminal status, by task index; all in {@code shard}
   */
  public ShardCount countTerminal(RunSpec spec, int shard, Map<Integer, TaskStatus> statusByIndex) {
    return countTerminal(spec, shard, 0, statusByIndex)
        .orElseThrow(() -> new IllegalStateException("shard " + shard + " was redriven"));
  }

  /**
   * Counts tasks of one shard that became terminal in redrive round {@code round}, with one write
   * conditional on the counter being in that round.
   *
   * @return the count after the write, or empty if the counter has moved on to a later round: the
   *     tasks were revived since, and this count is stale
   */
  public Optional<ShardCount> countTerminal(
      RunSpec spec, int shard, int round, Map<Integer, TaskStatus> statusByIndex) {
    Sharding sharding = spec.sharding();
    List<String> succeeded = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> cancelled = new ArrayList<>();
    statusByIndex.forEach(
        (index, status) -> {
          if (!status.isTerminal()) {
            throw new IllegalArgumentException(status + " is not terminal");
          }
          if (sharding.shardOf(index) != shard) {
            throw new IllegalArgumentException("task " + index + " is not in shard " + shard);
          }
          String position = Integer.toString(sharding.positionInShard(index));
          (status == TaskStatus.SUCCEEDED
                  ? succeeded
                  : status == TaskStatus.CANCELLED ? cancelled : failed)
              .add(position);
        });
    if (succeeded.isEmpty() && failed.isEmpty() && cancelled.isEmpty()) {
      throw new IllegalArgumentException("no task to count");
    }
    // DynamoDB refuses an empty set and an unused value: name only the sets that grow.
    List<String> adds = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":now", millis(clock.instant()));
    values.put(":expires", Items.expiry(spec));
    names.put("#expires", TableSchema.TTL_ATTRIBUTE);
    names.put("#round", ShardCounterItem.ROUND);
    String inRound = Items.inRound(round, values);
    if (!succeeded.isEmpty()) {
      adds.add("#succeeded :succeeded");
      names.put("#succeeded", ShardCounterItem.SUCCEEDED);
      values.put(":succeeded", AttributeValue.fromNs(succeeded));
    }
    if (!failed.isEmpty()) {
      adds.add("#failed :failed");
      names.put("#failed", ShardCounterItem.FAILED);
      values.put(":failed", AttributeValue.fromNs(failed));
    }
    if (!cancelled.isEmpty()) {
      adds.add("#cancelled :cancelled");
      names.put("#cancelled", ShardCounterItem.CANCELLED);
      values.put(":cancelled", AttributeValue.fromNs(cancelled));
    }
    try {
      Map<String, AttributeValue> after =
          dynamoDb
              .updateItem(
                  b ->
                      b.tableName(table)
                          .key(ShardCounterItem.key(spec, shard))
                          .updateExpression(
                              "ADD "
                                  + String.join(", ", adds)
                                  + " SET updatedAt = :now, #expires = :expires")
                          .conditionExpression(inRound)
                          .expressionAttributeNames(names)
                          .expressionAttributeValues(values)
                          .returnValues(ReturnValue.ALL_NEW))
              .attributes();
      return Optional.of(ShardCounterItem.toCount(shard, sharding, after));
    } catch (ConditionalCheckFailedException e) {
      return Optional.empty();
    }
  }

  /**
   * Moves a shard's counter to redrive round {@code round}, taking the tasks in {@code statuses}
   * out of it in the same write: the shard is no longer full until they are terminal again, and a
   * late count from an earlier round fails its condition. Idempotent: a counter already in the
   * round is left alone. Conditional on the round read, so a count that lands between the read and
   * the write (a task counted again, with the same position) makes it read again.
   *
   * @return the positions taken out by this call (empty if the counter was already in the round)
   */
  public Set<Integer> beginRound(RunSpec spec, int shard, int round, Set<TaskStatus> statuses) {
    for (int tries = 0; tries < 5; tries++) {
      Map<String, AttributeValue> item =
          dynamoDb
              .getItem(
                  b ->
                      b.tableName(table)
                          .key(ShardCounterItem.key(spec, shard))
                          .consistentRead(true))
              .item();
      Map<String, AttributeValue> counter = item == null || item.isEmpty() ? null : item;
      int seenRound = ShardCounterItem.round(counter);
      if (seenRound >= round) {
        return Set.of();
      }
      Map<String, String> names = new HashMap<>();
      Map<String, AttributeValue> values = new HashMap<>();
      names.put("#round", ShardCounterItem.ROUND);
      values.put(":next", Items.n(round));
      values.put(":now", millis(clock.instant()));
      String condition;
      if (seenRound == 0) {
        condition = "attribute_not_exists(#round) OR #round = :seen";
        values.put(":seen", Items.n(0));
      } else {
        condition = "#round = :seen";
        values.put(":seen", Items.n(seenRound));
      }
      Set<Integer> removed = new java.util.TreeSet<>();
      List<String> deletes = new ArrayList<>();
      for (TaskStatus status : statuses) {
        String attribute =
            status == TaskStatus.FAILED
                ? ShardCounterItem.FAILED
                : status == TaskStatus.CANCELLED ? ShardCounterItem.CANCELLED : null;
        if (attribute == null) {
          throw new IllegalArgumentException(status + " tasks cannot be redriven");
        }
        Set<Integer> positions = counter == null ? Set.of() : Items.numberSet(counter, attribute);
        if (!positions.isEmpty()) {
          String name = "#" + attribute;
          names.put(name, attribute);
          values.put(
              ":" + attribute,
              AttributeValue.fromNs(positions.stream().map(String::valueOf).toList()));
          deletes.add(name + " :" + attribute);
          removed.addAll(positions);
        }
      }
      String update =
          "SET #round = :next, updatedAt = :now"
              + (deletes.isEmpty() ? "" : " DELETE " + String.join(", ", deletes));
      try {
        dynamoDb.updateItem(
            b ->
                b.tableName(table)
                    .key(ShardCounterItem.key(spec, shard))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        return removed;
      } catch (ConditionalCheckFailedException e) {
        // Moved on meanwhile (another redriver, or our write applied and its response was lost).
      }
    }
    throw new IllegalStateException(
        "the counter of shard " + shard + " of run " + spec.runId() + " kept changing");
  }

  /**
   * Records the size of a discovered run's last shard on its counter, once discovery has fixed the
   * total; returns the count after the write, so the caller learns whether the shard already
   * drained (its spokes counted every task before they could know it was the last).
   */
  public ShardCount setShardSize(RunSpec spec, int shard, int size) {
    Map<String, AttributeValue> after =
        dynamoDb
            .updateItem(
                b ->
                    b.tableName(table)
                        .key(ShardCounterItem.key(spec, shard))
                        .updateExpression("SET #size = :size, #expires = :expires")
                        .expressionAttributeNames(
                            Map.of(
                                "#size",
                                ShardCounterItem.SIZE,
                                "#expires",
                                TableSchema.TTL_ATTRIBUTE))
                        .expressionAttributeValues(
                            Map.of(":size", Items.n(size), ":expires", Items.expiry(spec)))
                        .returnValues(ReturnValue.ALL_NEW))
            .attributes();
    return ShardCounterItem.toCount(shard, spec.sharding(), after);
  }

  /** The counters of every shard of a run (BatchGetItem, UnprocessedKeys retried). */
  public List<ShardCount> counts(RunSpec spec) {
    Sharding sharding = spec.sharding();
    Map<Integer, Map<String, AttributeValue>> found = counterItems(spec);
    List<ShardCount> counts = new ArrayList<>(sharding.shardCount());
    for (int shard = 0; shard < sharding.shardCount(); shard++) {
      counts.add(ShardCounterItem.toCount(shard, sharding, found.get(shard)));
    }
    return counts;
  }

  /**
   * The positions each shard's counter holds (succeeded or failed), by shard: the sweep counts the
   * terminal tasks missing from them.
   */
  public List<Set<Integer>> countedPositions(RunSpec spec) {
    Map<Integer, Map<String, AttributeValue>> found = counterItems(spec);
    List<Set<Integer>> counted = new ArrayList<>(spec.shardCount());
    for (int shard = 0; shard < spec.shardCount(); shard++) {
      counted.add(ShardCounterItem.positions(found.get(shard)));
    }
    return counted;
  }

  /** What a shard's counter holds: the positions counted, and the round it counts. */
  public record Counted(Set<Integer> positions, int round) {}

  /** Each shard's counted positions and round, by shard: what the sweep compares tasks with. */
  public List<Counted> counted(RunSpec spec) {
    Map<Integer, Map<String, AttributeValue>> found = counterItems(spec);
    List<Counted> counted = new ArrayList<>(spec.shardCount());
    for (int shard = 0; shard < spec.shardCount(); shard++) {
      Map<String, AttributeValue> item = found.get(shard);
      counted.add(new Counted(ShardCounterItem.positions(item), ShardCounterItem.round(item)));
    }
    return counted;
  }

  /** The counter items of a run that exist, by shard. */
  private Map<Integer, Map<String, AttributeValue>> counterItems(RunSpec spec) {
    int shardCount = spec.shardCount();
    Map<Integer, Map<String, AttributeValue>> found = new HashMap<>();
    for (int from = 0; from < shardCount; from += Batches.MAX_GET) {
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (int shard = from; shard < Math.min(shardCount, from + Batches.MAX_GET); shard++) {
        keys.add(ShardCounterItem.key(spec, shard));
      }
      for (Map<String, AttributeValue> item :
          Batches.get(
              dynamoDb,
              table,
              KeysAndAttributes.builder().keys(keys).consistentRead(true).build(),
              backoff,
              "counter reads for run " + spec.runId())) {
        found.put(ShardCounterItem.shardOf(item), item);
      }
    }
    return found;
  }
}
