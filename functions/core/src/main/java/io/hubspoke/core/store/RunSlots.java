package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.PK;
import static io.hubspoke.core.store.Items.key;
import static io.hubspoke.core.store.Items.n;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.model.RunSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The slots of a run that caps its concurrency ({@code maxConcurrency}): one item per run, beside
 * its gate, whose {@code holders} map names each attempt that may run now and until when its hold
 * lasts. A spoke takes a slot before it claims a task and gives it back once the outcome is
 * recorded; the hold lasts until the spoke's invocation must have ended (the caller's choice).
 *
 * <p>Taking a slot is one conditional write: add this holder if the map has fewer than K entries. A
 * holder whose spoke died is not waited for forever: once its hold has ended, the next spoke that
 * finds the run full removes it in the same write that adds itself, conditional on the holder still
 * showing the end it read and on the map then holding at most K. Every write is to one small item
 * (each holder is about 25 bytes: one write unit covers about 40 holders), and a failed condition
 * returns the item, so a full run costs that one write and no read.
 *
 * <p>A task that found the run full joins the item's {@code waiting} set ({@link #await}); a
 * give-back returns the set and wakes one waiter ({@link #wake}), so a freed slot is taken at once
 * rather than when a waiting message's delay ends.
 */
public final class RunSlots {
  static final String SLOTS_SK = "SLOTS";
  static final String HOLDERS = "holders";
  static final String WAITING = "waiting";

  /**
   * The most tasks the waiting set holds (a number set of task indexes, a few bytes each); a task
   * beyond it waits on its message's delay alone.
   */
  static final int MAX_WAITING = 1_000;

  /** How many ended holds one write removes at most (the expression stays small). */
  static final int MAX_EVICTIONS_PER_WRITE = 25;

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final Clock clock;

  public RunSlots(DynamoDbClient dynamoDb, String table, Clock clock) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    this.clock = clock;
  }

  /** What {@link #acquire} found. */
  public sealed interface Acquisition {
    /** The slot is held under {@code holder} until {@code until} (or its release). */
    record Acquired(String holder, Instant until) implements Acquisition {}

    /** All K slots are held by attempts whose holds have not ended. */
    record Full(int holders) implements Acquisition {}
  }

  /**
   * Takes one of the run's {@code maxConcurrency} slots for {@code holder} until {@code until}, for
   * task {@code taskIndex}, which leaves the waiting set in the same write.
   *
   * @param holder unique per attempt (a retried call whose first write was applied finds itself)
   */
  public Acquisition acquire(RunSpec spec, String holder, Instant until, int taskIndex) {
    int cap = spec.controls().maxConcurrency();
    if (cap <= 0) {
      throw new IllegalArgumentException("run " + spec.runId() + " has no concurrency cap");
    }
    Map<String, AttributeValue> found;
    try {
      update(spec, holder, until, taskIndex, List.of(), Map.of(), cap);
      return new Acquisition.Acquired(holder, until);
    } catch (ConditionalCheckFailedException e) {
      found = e.hasItem() ? e.item() : Map.of();
    }
    if (found.isEmpty()) {
      if (create(spec, holder, until)) {
        return new Acquisition.Acquired(holder, until);
      }
      return acquireOnceMore(spec, holder, until, taskIndex, cap);
    }
    Map<String, AttributeValue> holders = holders(found);
    if (holders.containsKey(holder)) {
      return new Acquisition.Acquired(holder, until); // our own write, its response lost
    }
    long now = clock.millis();
    List<String> ended = new ArrayList<>();
    Map<String, AttributeValue> endedAt = new HashMap<>();
    holders.forEach(
        (name, end) -> {
          if (ended.size() < MAX_EVICTIONS_PER_WRITE && Long.parseLong(end.n()) <= now) {
            ended.add(name);
            endedAt.put(name, end);
          }
        });
    if (ended.isEmpty()) {
      return new Acquisition.Full(holders.size());
    }
    try {
      update(spec, holder, until, taskIndex, ended, endedAt, cap);
      return new Acquisition.Acquired(holder, until);
    } catch (ConditionalCheckFailedException e) {
      return afterLostRace(e, holder, until);
    }
  }

  private Acquisition acquireOnceMore(
      RunSpec spec, String holder, Instant until, int taskIndex, int cap) {
    try {
      update(spec, holder, until, taskIndex, List.of(), Map.of(), cap);
      return new Acquisition.Acquired(holder, until);
    } catch (ConditionalCheckFailedException e) {
      return afterLostRace(e, holder, until);
    }
  }

  /** A second write failed its condition too: the run is full, unless our write got there. */
  private static Acquisition afterLostRace(
      ConditionalCheckFailedException e, String holder, Instant until) {
    Map<String, AttributeValue> holders = e.hasItem() ? holders(e.item()) : Map.of();
    return holders.containsKey(holder)
        ? new Acquisition.Acquired(holder, until)
        : new Acquisition.Full(holders.size());
  }

  /**
   * Adds {@code holder}, removing the {@code ended} holders in the same write: conditional on each
   * still showing the end read, and on the map then holding at most {@code cap}.
   */
  private void update(
      RunSpec spec,
      String holder,
      Instant until,
      int taskIndex,
      List<String> ended,
      Map<String, AttributeValue> endedAt,
      int cap) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#hs", HOLDERS);
    names.put("#me", holder);
    names.put("#w", WAITING);
    values.put(":until", Items.millis(until));
    values.put(":task", taskSet(taskIndex));
    // The map has size - ended + 1 entries after this write: at most cap.
    values.put(":limit", n(cap + (long) ended.size()));
    StringBuilder condition = new StringBuilder("size(#hs) < :limit");
    StringBuilder remove = new StringBuilder();
    for (int i = 0; i < ended.size(); i++) {
      names.put("#e" + i, ended.get(i));
      values.put(":e" + i, endedAt.get(ended.get(i)));
      condition.append(" AND #hs.#e").append(i).append(" = :e").append(i);
      remove.append(i == 0 ? " REMOVE " : ", ").append("#hs.#e").append(i);
    }
    dynamoDb.updateItem(
        UpdateItemRequest.builder()
            .tableName(table)
            .key(key(Items.gatePk(spec), SLOTS_SK))
            .updateExpression("SET #hs.#me = :until" + remove + " DELETE #w :task")
            .conditionExpression(condition.toString())
            .expressionAttributeNames(names)
            .expressionAttributeValues(values)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build());
  }

  /** The run's first hold creates its slots item; false if another spoke created it first. */
  private boolean create(RunSpec spec, String holder, Instant until) {
    Map<String, AttributeValue> item = new HashMap<>(key(Items.gatePk(spec), SLOTS_SK));
    item.put(HOLDERS, AttributeValue.fromM(Map.of(holder, Items.millis(until))));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    try {
      dynamoDb.putItem(
          b ->
              b.tableName(table)
                  .item(item)
                  .conditionExpression("attribute_not_exists(#pk)")
                  .expressionAttributeNames(Map.of("#pk", PK)));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * Gives {@code holder}'s slot back (idempotent: a repeat, or a hold already removed, is a no-op).
   *
   * @return the tasks waiting for a slot of the run as the write left them, to wake one ({@link
   *     #wake})
   */
  public List<Integer> release(RunSpec spec, String holder) {
    try {
      Map<String, AttributeValue> after =
          dynamoDb
              .updateItem(
                  b ->
                      b.tableName(table)
                          .key(key(Items.gatePk(spec), SLOTS_SK))
                          .updateExpression("REMOVE #hs.#me")
                          // Never creates the item (TTL may have deleted it): it would lack its
                          // expiry.
                          .conditionExpression("attribute_exists(#pk)")
                          .expressionAttributeNames(
                              Map.of("#hs", HOLDERS, "#me", holder, "#pk", PK))
                          .returnValues(ReturnValue.ALL_NEW))
              .attributes();
      return List.copyOf(Items.numberSet(after, WAITING));
    } catch (ConditionalCheckFailedException e) {
      return List.of(); // no slots item: nothing is held, nobody waits
    }
  }

  /**
   * Puts task {@code taskIndex}, which found every slot held, in the run's waiting set, so the next
   * spoke to give a slot back wakes it at once instead of it waiting out its message's delay.
   *
   * @return false if the set is full (the task waits on its message's delay alone)
   */
  public boolean await(RunSpec spec, int taskIndex) {
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(key(Items.gatePk(spec), SLOTS_SK))
                  .updateExpression("ADD #w :task")
                  .conditionExpression(
                      "attribute_exists(#pk) AND (attribute_not_exists(#w) OR size(#w) < :max)")
                  .expressionAttributeNames(Map.of("#w", WAITING, "#pk", PK))
                  .expressionAttributeValues(
                      Map.of(":task", taskSet(taskIndex), ":max", n(MAX_WAITING))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * Takes one task out of the waiting set, one of {@code waiting} (as a give-back saw it), for its
   * caller to send its message now. Conditional on the task still waiting, so two spokes giving
   * slots back at once wake two tasks, not one twice.
   *
   * @return the task to wake, or empty if those tried were taken meanwhile
   */
  public Optional<Integer> wake(RunSpec spec, List<Integer> waiting) {
    List<Integer> candidates = new ArrayList<>(waiting);
    Collections.shuffle(candidates);
    for (int task : candidates.subList(0, Math.min(2, candidates.size()))) {
      try {
        dynamoDb.updateItem(
            b ->
                b.tableName(table)
                    .key(key(Items.gatePk(spec), SLOTS_SK))
                    .updateExpression("DELETE #w :task")
                    .conditionExpression("contains(#w, :one)")
                    .expressionAttributeNames(Map.of("#w", WAITING))
                    .expressionAttributeValues(Map.of(":task", taskSet(task), ":one", n(task))));
        return Optional.of(task);
      } catch (ConditionalCheckFailedException e) {
        // Woken by another spoke, or it took a slot by itself: try another.
      }
    }
    return Optional.empty();
  }

  /** The tasks waiting for a slot (for tests and diagnostics). */
  public Set<Integer> waiting(RunSpec spec) {
    return Items.numberSet(slotsItem(spec), WAITING);
  }

  private Map<String, AttributeValue> slotsItem(RunSpec spec) {
    Map<String, AttributeValue> item =
        dynamoDb
            .getItem(
                b -> b.tableName(table).key(key(Items.gatePk(spec), SLOTS_SK)).consistentRead(true))
            .item();
    return item == null ? Map.of() : item;
  }

  private static AttributeValue taskSet(int taskIndex) {
    return AttributeValue.fromNs(List.of(Integer.toString(taskIndex)));
  }

  /** How many holds of the run have not ended: a strongly consistent read of its slots item. */
  public int liveHolders(RunSpec spec) {
    long now = clock.millis();
    return (int)
        holders(slotsItem(spec)).values().stream()
            .filter(end -> Long.parseLong(end.n()) > now)
            .count();
  }

  /** The run's current holders and the end of each hold (for tests and diagnostics). */
  public Map<String, Instant> holders(RunSpec spec) {
    Map<String, AttributeValue> item = slotsItem(spec);
    Map<String, Instant> holders = new HashMap<>();
    holders(item)
        .forEach((name, end) -> holders.put(name, Instant.ofEpochMilli(Long.parseLong(end.n()))));
    return holders;
  }

  private static Map<String, AttributeValue> holders(Map<String, AttributeValue> item) {
    AttributeValue holders = item.get(HOLDERS);
    return holders == null || !holders.hasM() ? Map.of() : holders.m();
  }
}
