package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.millis;
import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskAttempt;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A task item: its key under its shard's partition, its attributes, and its mapping to and from
 * {@link TaskRecord} (and {@link TaskDue}, the sweep's partial read). {@link TaskStore}'s
 * expressions name the same attributes.
 */
final class TaskItem {
  static final String SK_PREFIX = "T#";

  static final String RUN_ID = "runId";
  static final String INDEX = "idx";
  static final String STATUS = "status";
  static final String ATTEMPT = "attempt";
  static final String VERSION = "version";
  static final String OWNER = "owner";
  static final String LEASE_UNTIL = "leaseUntil";
  static final String ITEM = "item";
  static final String RESULT = "result";
  static final String ERROR_TYPE = "errorType";
  static final String ERROR_MESSAGE = "errorMessage";
  static final String CREATED_AT = "createdAt";
  static final String STARTED_AT = "startedAt";
  static final String FINISHED_AT = "finishedAt";
  static final String DURATION_MS = "durationMs";

  /**
   * When a task's message becomes receivable: set at creation and at release (after the retry
   * delay). The sweep re-sends a task only once it is overdue.
   */
  static final String DUE_AT = "dueAt";

  /**
   * The claimable index's keys ({@link TableSchema#CLAIMABLE_INDEX}): the task's own partition, on
   * the unfinished tasks of a run claimed from the index only; and when a claim may take the task
   * (set on every task by the claim, heartbeat and release, which cost nothing more).
   */
  static final String CLAIM_PK = TableSchema.CLAIMABLE_INDEX_PARTITION_KEY;

  static final String CLAIMABLE_AT = TableSchema.CLAIMABLE_INDEX_SORT_KEY;

  /** The index of a task from its sort key (what a keys-only index returns). */
  static int indexOfSortKey(String sortKey) {
    return Integer.parseInt(sortKey.substring(SK_PREFIX.length()));
  }

  /** How many times, and when last, the sweep sent a task's message again. */
  static final String RESENDS = "resends";

  static final String RESENT_AT = "resentAt";

  /**
   * The redrive round of the task's current attempts (absent: 0). Its terminal status is counted in
   * the round's counter ({@link ShardCounterItem#ROUND}); a redrive revives it into the next.
   */
  static final String ROUND = "round";

  /** Where the current round's attempts start in {@link #HISTORY} (absent: 0). */
  static final String HISTORY_BASE = "historyBase";

  /**
   * The most attempts the history keeps: a redrive drops the oldest beyond this, less the attempts
   * its round may take, so the item stays far below DynamoDB's 400 KB however often it is redriven.
   */
  static final int MAX_HISTORY = 100;

  static final int MAX_ERROR_CHARS = 2000;

  private TaskItem() {}

  static String sortKey(int index) {
    return SK_PREFIX + String.format("%08d", index);
  }

  static Map<String, AttributeValue> key(RunSpec spec, int index) {
    return Items.key(Items.shardPk(spec, spec.sharding().shardOf(index)), sortKey(index));
  }

  static Map<String, AttributeValue> key(Lease lease) {
    return Items.key(
        Items.shardPk(lease.runId(), lease.incarnation(), lease.shard()), sortKey(lease.index()));
  }

  /** A new PENDING task, due at once: its message is sent right after it is written. */
  static Map<String, AttributeValue> newItem(
      RunSpec spec, int index, String itemJson, Instant now) {
    Map<String, AttributeValue> item = new HashMap<>(key(spec, index));
    item.put(RUN_ID, s(spec.runId()));
    item.put(INDEX, n(index));
    item.put(STATUS, s(TaskStatus.PENDING.name()));
    item.put(ATTEMPT, n(0));
    item.put(VERSION, n(0));
    item.put(ITEM, s(itemJson));
    item.put(CREATED_AT, millis(now));
    // Its message is sent right after: the sweep looks at the task only once it is overdue.
    item.put(DUE_AT, millis(now));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    if (spec.dispatch().claimsFromIndex()) {
      item.put(CLAIM_PK, s(Items.shardPk(spec, spec.sharding().shardOf(index))));
      item.put(CLAIMABLE_AT, millis(now));
    }
    return item;
  }

  /**
   * A new task of a run cancelled before it was written: CANCELLED at once, never to run (as a
   * PENDING task of a cancelled run becomes), so it needs no message.
   */
  static Map<String, AttributeValue> newCancelledItem(
      RunSpec spec, int index, String itemJson, Instant now) {
    Map<String, AttributeValue> item = newItem(spec, index, itemJson, now);
    item.put(STATUS, s(TaskStatus.CANCELLED.name()));
    item.put(FINISHED_AT, millis(now));
    item.remove(CLAIM_PK);
    return item;
  }

  /** The error type recorded: "Error" when the worker gave none. */
  static AttributeValue errorType(String errorType) {
    return s(errorType == null || errorType.isEmpty() ? "Error" : errorType);
  }

  /** The error message recorded, cut to {@link #MAX_ERROR_CHARS}: "(no message)" when empty. */
  static AttributeValue errorMessage(String message) {
    String text = message == null || message.isEmpty() ? "(no message)" : message;
    return s(text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text);
  }

  static TaskRecord toRecord(Map<String, AttributeValue> item) {
    return new TaskRecord(
        Items.string(item, RUN_ID),
        index(item),
        status(item),
        Items.integer(item, ATTEMPT, 0),
        version(item),
        Items.string(item, OWNER),
        Items.instant(item, LEASE_UNTIL),
        Items.string(item, ITEM),
        Items.string(item, RESULT),
        Items.string(item, ERROR_TYPE),
        Items.string(item, ERROR_MESSAGE),
        Items.instant(item, STARTED_AT),
        Items.instant(item, FINISHED_AT),
        Items.number(item, DURATION_MS),
        history(item),
        round(item),
        Items.integer(item, HISTORY_BASE, 0));
  }

  static int round(Map<String, AttributeValue> item) {
    return Items.integer(item, ROUND, 0);
  }

  /**
   * List of maps, one per attempt in claim order (entry {@code i} is attempt {@code i + 1}): the
   * claim appends {@code {owner, startedAt}}; the attempt's end replaces it with the whole entry.
   */
  static final String HISTORY = "history";

  /** An error message as the history keeps it: shorter than the task's last error. */
  static final int MAX_HISTORY_ERROR_CHARS = 300;

  static AttributeValue historyStart(String owner, Instant startedAt) {
    return AttributeValue.fromL(
        List.of(
            AttributeValue.fromM(Map.of("owner", s(owner), "startedAt", Items.millis(startedAt)))));
  }

  /** The whole entry of an attempt that ended. */
  static AttributeValue historyEnd(
      String owner,
      Instant startedAt,
      Instant endedAt,
      String outcome,
      String errorType,
      String errorMessage,
      int round) {
    Map<String, AttributeValue> entry = new java.util.HashMap<>();
    entry.put("owner", s(owner));
    entry.put("round", n(round));
    if (startedAt != null) {
      entry.put("startedAt", Items.millis(startedAt));
    }
    entry.put("endedAt", Items.millis(endedAt));
    entry.put("outcome", s(outcome));
    if (errorType != null) {
      entry.put("errorType", errorType(errorType));
      String message =
          errorMessage == null || errorMessage.isEmpty() ? "(no message)" : errorMessage;
      entry.put(
          "errorMessage",
          s(
              message.length() > MAX_HISTORY_ERROR_CHARS
                  ? message.substring(0, MAX_HISTORY_ERROR_CHARS)
                  : message));
    }
    return AttributeValue.fromM(entry);
  }

  /**
   * The attempts, each numbered within its round. An entry names its round once its attempt ended
   * (or a redrive stamped it); one still open belongs to the task's current round.
   */
  private static List<TaskAttempt> history(Map<String, AttributeValue> item) {
    AttributeValue history = item.get(HISTORY);
    if (history == null || !history.hasL()) {
      return List.of();
    }
    int currentRound = round(item);
    List<TaskAttempt> attempts = new java.util.ArrayList<>();
    int lastRound = -1;
    int inRound = 0;
    for (int i = 0; i < history.l().size(); i++) {
      Map<String, AttributeValue> entry = history.l().get(i).m();
      int round = Items.integer(entry, "round", currentRound);
      inRound = round == lastRound ? inRound + 1 : 1;
      lastRound = round;
      attempts.add(
          new TaskAttempt(
              inRound,
              Items.string(entry, "owner"),
              Items.instant(entry, "startedAt"),
              Items.instant(entry, "endedAt"),
              Items.string(entry, "outcome"),
              Items.string(entry, "errorType"),
              Items.string(entry, "errorMessage"),
              round));
    }
    return attempts;
  }

  /**
   * The history a revived task keeps: every entry stamped with the round it belongs to (an entry
   * its owner never ended has none yet), the oldest dropped beyond {@link #MAX_HISTORY} less the
   * attempts the next round may take.
   */
  static List<AttributeValue> historyForRevive(
      Map<String, AttributeValue> item, int maxAttemptsNextRound) {
    AttributeValue history = item.get(HISTORY);
    if (history == null || !history.hasL()) {
      return List.of();
    }
    int currentRound = round(item);
    List<AttributeValue> stamped = new java.util.ArrayList<>();
    for (AttributeValue entry : history.l()) {
      if (entry.hasM() && !entry.m().containsKey("round")) {
        Map<String, AttributeValue> withRound = new java.util.HashMap<>(entry.m());
        withRound.put("round", n(currentRound));
        stamped.add(AttributeValue.fromM(withRound));
      } else {
        stamped.add(entry);
      }
    }
    int keep = Math.max(0, MAX_HISTORY - maxAttemptsNextRound);
    return stamped.size() <= keep
        ? stamped
        : List.copyOf(stamped.subList(stamped.size() - keep, stamped.size()));
  }

  /** A task as the sweep reads it; without {@link #DUE_AT}, it is due from its creation. */
  static TaskDue toDue(Map<String, AttributeValue> item) {
    Instant due = Items.instant(item, DUE_AT);
    return new TaskDue(
        index(item),
        status(item),
        version(item),
        due != null ? due : Items.instant(item, CREATED_AT),
        Items.instant(item, LEASE_UNTIL),
        Items.integer(item, RESENDS, 0),
        Items.instant(item, RESENT_AT),
        Items.instant(item, FINISHED_AT),
        round(item));
  }

  static int index(Map<String, AttributeValue> item) {
    return Items.integer(item, INDEX, -1);
  }

  static TaskStatus status(Map<String, AttributeValue> item) {
    return TaskStatus.valueOf(Items.string(item, STATUS));
  }

  private static long version(Map<String, AttributeValue> item) {
    Long version = Items.number(item, VERSION);
    return version == null ? 0 : version;
  }
}
