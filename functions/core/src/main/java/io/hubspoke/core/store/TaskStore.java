package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.PK;
import static io.hubspoke.core.store.Items.SK;
import static io.hubspoke.core.store.Items.key;
import static io.hubspoke.core.store.Items.millis;
import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;
import static io.hubspoke.core.store.Items.shardPk;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.model.TaskTransition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Task items ({@link ShardCounters} counts them once terminal). Every task write is one {@link
 * TaskTransition}, conditional on status and (except the claim) owner and version. A condition that
 * fails returns the item as it was ({@code ReturnValuesOnConditionCheckFailure.ALL_OLD}), which
 * tells a lost race from this writer's own earlier write whose response was lost.
 */
public final class TaskStore {
  public static final int MAX_BATCH_WRITE = Batches.MAX_WRITE;
  static final int MAX_BATCH_GET = Batches.MAX_GET;

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final Clock clock;
  private final Backoff backoff;

  public TaskStore(DynamoDbClient dynamoDb, String table, Clock clock, Backoff backoff) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    this.clock = clock;
    this.backoff = backoff;
  }

  // ---- hub: writing new tasks -------------------------------------------------------------

  /**
   * Writes new PENDING tasks {@code firstIndex…} with BatchWriteItem, 25 per call, retrying
   * UnprocessedItems with backoff. Only for tasks no one can have claimed yet: a put replaces.
   */
  public void putNew(RunSpec spec, int firstIndex, List<String> itemsJson) {
    putAll(spec, firstIndex, itemsJson, TaskItem::newItem);
  }

  /**
   * Writes new tasks CANCELLED (BatchWriteItem, unprocessed items retried): the tasks of a chunk
   * dispatched after its run was cancelled, which never run.
   */
  public void putNewCancelled(RunSpec spec, int firstIndex, List<String> itemsJson) {
    putAll(spec, firstIndex, itemsJson, TaskItem::newCancelledItem);
  }

  private interface NewItem {
    Map<String, AttributeValue> of(RunSpec spec, int index, String itemJson, Instant now);
  }

  private void putAll(RunSpec spec, int firstIndex, List<String> itemsJson, NewItem newItem) {
    Instant now = clock.instant();
    for (int from = 0; from < itemsJson.size(); from += MAX_BATCH_WRITE) {
      int to = Math.min(itemsJson.size(), from + MAX_BATCH_WRITE);
      List<WriteRequest> writes = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        Map<String, AttributeValue> item = newItem.of(spec, firstIndex + i, itemsJson.get(i), now);
        writes.add(
            WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
      }
      Batches.write(dynamoDb, table, writes, backoff, "task writes");
    }
  }

  /**
   * Writes one new task unless it exists. Used when a dispatch is resumed, where a task may already
   * be claimed and a blind put would reset it.
   *
   * @return true if this call created it
   */
  public boolean putIfAbsent(RunSpec spec, int index, String itemJson) {
    try {
      dynamoDb.putItem(
          b ->
              b.tableName(table)
                  .item(TaskItem.newItem(spec, index, itemJson, clock.instant()))
                  .conditionExpression("attribute_not_exists(#pk)")
                  .expressionAttributeNames(Map.of("#pk", PK)));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  // ---- spoke: the claim protocol -----------------------------------------------------------

  /**
   * Claims a task: PENDING, or RUNNING whose lease has expired with attempts left, becomes RUNNING
   * under {@code owner} until {@code leaseUntil}, with attempt and version incremented.
   *
   * @param owner unique per claim call, so a retried call recognises its own applied write
   */
  public ClaimResult claim(RunSpec spec, int index, String owner, Instant leaseUntil) {
    Instant now = clock.instant();
    int shard = spec.sharding().shardOf(index);
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(TaskItem.key(spec, index))
            .updateExpression(
                "SET #st = :running, #ow = :owner, attempt = attempt + :one,"
                    + " version = version + :one, leaseUntil = :lease, startedAt = :now,"
                    + " #h = list_append(if_not_exists(#h, :noHistory), :attemptStart)"
                    + (spec.dispatch().claimsFromIndex() ? ", #ca = :lease" : ""))
            .conditionExpression(
                "attribute_exists(#pk) AND (#st = :pending OR (#st = :running"
                    + " AND leaseUntil <= :now AND attempt < :max))")
            .expressionAttributeNames(
                spec.dispatch().claimsFromIndex()
                    ? Map.of(
                        "#st", TaskItem.STATUS,
                        "#ow", TaskItem.OWNER,
                        "#pk", PK,
                        "#h", TaskItem.HISTORY,
                        "#ca", TaskItem.CLAIMABLE_AT)
                    : Map.of(
                        "#st", TaskItem.STATUS,
                        "#ow", TaskItem.OWNER,
                        "#pk", PK,
                        "#h", TaskItem.HISTORY))
            .expressionAttributeValues(
                Map.of(
                    ":running", s(TaskStatus.RUNNING.name()),
                    ":pending", s(TaskStatus.PENDING.name()),
                    ":owner", s(owner),
                    ":one", n(1),
                    ":lease", millis(leaseUntil),
                    ":now", millis(now),
                    ":max", n(spec.maxAttempts()),
                    ":noHistory", AttributeValue.fromL(List.of()),
                    ":attemptStart", TaskItem.historyStart(owner, now)))
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      TaskRecord task = TaskItem.toRecord(dynamoDb.updateItem(request).attributes());
      return new ClaimResult.Claimed(lease(spec, task, shard), task);
    } catch (ConditionalCheckFailedException e) {
      if (!e.hasItem() || e.item().isEmpty()) {
        return new ClaimResult.NotFound();
      }
      TaskRecord current = TaskItem.toRecord(e.item());
      if (current.status() == TaskStatus.RUNNING && owner.equals(current.owner())) {
        // Our own claim was applied and its response lost; the SDK's retry then failed the check.
        return new ClaimResult.Claimed(lease(spec, current, shard), current);
      }
      if (current.status().isTerminal()) {
        return new ClaimResult.AlreadyTerminal(current);
      }
      if (current.status() == TaskStatus.RUNNING && current.leaseExpiredAt(now)) {
        return new ClaimResult.AttemptsExhausted(current);
      }
      return new ClaimResult.LeasedByOther(current);
    }
  }

  private static Lease lease(RunSpec spec, TaskRecord task, int shard) {
    return new Lease(
        task.runId(),
        spec.incarnation(),
        task.index(),
        shard,
        task.owner(),
        task.version(),
        task.attempt(),
        task.leaseUntil(),
        task.startedAt(),
        task.round(),
        task.historyBase());
  }

  /**
   * RUNNING → RUNNING: the owner, still at work, moves its lease's end to {@code newLeaseUntil}, if
   * {@code lease} still holds (status, owner and version, like every owner write). The version is
   * bumped, so the owner's next write must name the returned lease; a claim that took the task over
   * meanwhile makes this a {@link HeartbeatResult.Lost}.
   */
  public HeartbeatResult heartbeat(Lease lease, Instant newLeaseUntil) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":lease", millis(newLeaseUntil));
    CommitResult result =
        ownerWrite(
            lease,
            TaskTransition.HEARTBEAT,
            // The claimable index (pull runs) offers the task again only once its lease ends.
            "leaseUntil = :lease, #ca = :lease",
            Map.of("#ca", TaskItem.CLAIMABLE_AT),
            values,
            clock.instant());
    if (result instanceof CommitResult.Committed committed) {
      TaskRecord task = committed.task();
      if (!task.leaseUntil().equals(newLeaseUntil.truncatedTo(ChronoUnit.MILLIS))) {
        // Not this write whose response was lost but an earlier heartbeat of the same claim: the
        // caller holds an older version. Its lease is not the one asked for.
        return new HeartbeatResult.Lost(task);
      }
      return new HeartbeatResult.Extended(lease.extended(task.version(), task.leaseUntil()));
    }
    return new HeartbeatResult.Lost(((CommitResult.LostRace) result).current());
  }

  /** RUNNING → SUCCEEDED with the result, if {@code lease} still holds. */
  public CommitResult complete(Lease lease, Instant startedAt, String resultJson) {
    Instant now = clock.instant();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":result", s(resultJson));
    values.put(":d", n(Duration.between(startedAt, now).toMillis()));
    values.put(":attemptEnd", attemptEnd(lease, now, "SUCCEEDED", null, null));
    return ownerWrite(
        lease,
        TaskTransition.COMPLETE,
        "#res = :result, finishedAt = :now, durationMs = :d, " + historyEntry(lease.historyIndex()),
        Map.of("#res", TaskItem.RESULT, "#h", TaskItem.HISTORY),
        values,
        now);
  }

  /** RUNNING → FAILED for good, if {@code lease} still holds. */
  public CommitResult fail(Lease lease, Instant startedAt, String errorType, String message) {
    Instant now = clock.instant();
    Map<String, AttributeValue> values = errorValues(errorType, message);
    values.put(":d", n(Duration.between(startedAt, now).toMillis()));
    values.put(":attemptEnd", attemptEnd(lease, now, "FAILED", errorType, message));
    return ownerWrite(
        lease,
        TaskTransition.FAIL,
        "errorType = :et, errorMessage = :em, finishedAt = :now, durationMs = :d, "
            + historyEntry(lease.historyIndex()),
        Map.of("#h", TaskItem.HISTORY),
        values,
        now);
  }

  /** RUNNING → PENDING after a retryable failure, its message sent again at once. */
  public CommitResult release(Lease lease, String errorType, String message) {
    return release(lease, errorType, message, Duration.ZERO);
  }

  /**
   * RUNNING → PENDING after a retryable failure, if {@code lease} still holds. The task is due when
   * its delayed message becomes receivable, so the sweep leaves it alone during its backoff.
   *
   * @param retryDelay how long its next message is delayed
   */
  public CommitResult release(Lease lease, String errorType, String message, Duration retryDelay) {
    Instant now = clock.instant();
    Map<String, AttributeValue> values = errorValues(errorType, message);
    values.put(":due", millis(now.plus(retryDelay)));
    values.put(":attemptEnd", attemptEnd(lease, now, "RETRY", errorType, message));
    return ownerWrite(
        lease,
        TaskTransition.RELEASE,
        "errorType = :et, errorMessage = :em, "
            + TaskItem.DUE_AT
            + " = :due, #ca = :due, "
            + historyEntry(lease.historyIndex()),
        Map.of("#h", TaskItem.HISTORY, "#ca", TaskItem.CLAIMABLE_AT),
        values,
        now);
  }

  private CommitResult ownerWrite(
      Lease lease,
      TaskTransition transition,
      String setClause,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      Instant now) {
    return versionedWrite(
        TaskItem.key(lease),
        transition,
        lease.owner(),
        lease.version(),
        "#ow = :owner",
        setClause,
        names,
        values,
        now);
  }

  /**
   * RUNNING → FAILED for a task whose final attempt's lease expired: its owner died or overran.
   * Conditional on the version observed, so only one claimer records it.
   */
  public CommitResult expire(TaskRecord observed, RunSpec spec, String owner) {
    String message =
        "attempt "
            + observed.attempt()
            + " did not finish within its lease and no attempts are left";
    Map<String, AttributeValue> values = errorValues("LeaseExpired", message);
    Instant now = clock.instant();
    // The attempt's entry keeps the owner that ran it; the task's owner becomes the recorder.
    values.put(
        ":attemptEnd",
        TaskItem.historyEnd(
            observed.owner(),
            observed.startedAt(),
            now,
            "LEASE_EXPIRED",
            "LeaseExpired",
            message,
            observed.round()));
    return versionedWrite(
        TaskItem.key(spec, observed.index()),
        TaskTransition.EXPIRE,
        owner,
        observed.version(),
        "leaseUntil <= :now",
        "errorType = :et, errorMessage = :em, finishedAt = :now, "
            + historyEntry(observed.historyBase() + Math.max(0, observed.attempt() - 1)),
        Map.of("#h", TaskItem.HISTORY),
        values,
        now);
  }

  /**
   * RUNNING → CANCELLED by the owner that just claimed the task of a cancelled run, before running
   * it: the attempt is recorded as CANCELLED and never ran.
   */
  public CommitResult cancelClaimed(Lease lease) {
    Instant now = clock.instant();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":attemptEnd", attemptEnd(lease, now, "CANCELLED", null, null));
    return ownerWrite(
        lease,
        TaskTransition.CANCEL_CLAIMED,
        "finishedAt = :now, " + historyEntry(lease.historyIndex()),
        Map.of("#h", TaskItem.HISTORY),
        values,
        now);
  }

  /**
   * PENDING → CANCELLED: a task of a cancelled run that waits for its first or next attempt never
   * starts. Conditional on the status and the version read, so a task claimed meanwhile is left to
   * its owner (which learns of the cancel from the run's gate).
   *
   * @return whether this call cancelled it
   */
  public boolean cancelPending(RunSpec spec, int index, long version) {
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(TaskItem.key(spec, index))
                  .updateExpression(
                      "SET #st = :cancelled, version = version + :one, finishedAt = :now"
                          + " REMOVE "
                          + TaskItem.CLAIM_PK)
                  .conditionExpression("#st = :pending AND version = :v")
                  .expressionAttributeNames(Map.of("#st", TaskItem.STATUS))
                  .expressionAttributeValues(
                      Map.of(
                          ":cancelled", s(TaskStatus.CANCELLED.name()),
                          ":pending", s(TaskStatus.PENDING.name()),
                          ":one", n(1),
                          ":v", n(version),
                          ":now", millis(clock.instant())))
                  .returnValuesOnConditionCheckFailure(
                      ReturnValuesOnConditionCheckFailure.ALL_OLD));
      return true;
    } catch (ConditionalCheckFailedException e) {
      // Applied and its response lost: the item shows CANCELLED at version + 1.
      return e.hasItem()
          && TaskStatus.CANCELLED.name().equals(Items.string(e.item(), TaskItem.STATUS))
          && Items.number(e.item(), TaskItem.VERSION) != null
          && Items.number(e.item(), TaskItem.VERSION) == version + 1;
    }
  }

  // ---- redrive -----------------------------------------------------------------------------

  /**
   * Revives every task of one shard that is in {@code statuses} from a round before {@code round}:
   * FAILED or CANCELLED → PENDING in {@code round}, attempts starting again at 0, its history kept
   * (each entry stamped with its round). Each write is conditional on the status and version read,
   * so a task revived meanwhile by another redriver is left alone. The shard's counter must already
   * be in {@code round} without these tasks ({@link ShardCounters#beginRound}).
   *
   * @return the tasks this call revived (their messages are the caller's to send)
   */
  public List<Integer> reviveShard(
      RunSpec spec, int shard, int round, java.util.Set<TaskStatus> statuses) {
    List<Integer> revived = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          dynamoDb.query(
              b ->
                  b.tableName(table)
                      .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                      .projectionExpression("idx, #st, version, #round, #h")
                      .expressionAttributeNames(
                          Map.of(
                              "#pk",
                              PK,
                              "#sk",
                              SK,
                              "#st",
                              TaskItem.STATUS,
                              "#round",
                              TaskItem.ROUND,
                              "#h",
                              TaskItem.HISTORY))
                      .expressionAttributeValues(
                          Map.of(":pk", s(shardPk(spec, shard)), ":prefix", s(TaskItem.SK_PREFIX)))
                      .consistentRead(true)
                      .exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : page.items()) {
        TaskStatus status = TaskItem.status(item);
        if (statuses.contains(status)
            && TaskItem.round(item) < round
            && revive(spec, item, status, round)) {
          revived.add(TaskItem.index(item));
        }
      }
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return revived;
  }

  /** One task's REVIVE: conditional on the status and version read. */
  private boolean revive(
      RunSpec spec, Map<String, AttributeValue> observed, TaskStatus status, int round) {
    if (!TaskTransition.REVIVE.from().contains(status)) {
      throw new IllegalArgumentException(status + " tasks cannot be redriven");
    }
    List<AttributeValue> history = TaskItem.historyForRevive(observed, spec.maxAttempts());
    long version =
        Items.number(observed, TaskItem.VERSION) == null
            ? 0
            : Items.number(observed, TaskItem.VERSION);
    Instant now = clock.instant();
    Map<String, String> names =
        new HashMap<>(
            Map.of(
                "#st", TaskItem.STATUS,
                "#round", TaskItem.ROUND,
                "#h", TaskItem.HISTORY,
                "#base", TaskItem.HISTORY_BASE,
                "#due", TaskItem.DUE_AT,
                "#ow", TaskItem.OWNER,
                "#res", TaskItem.RESULT));
    Map<String, AttributeValue> values =
        new HashMap<>(
            Map.of(
                ":pending", s(TaskTransition.REVIVE.to().name()),
                ":zero", n(0),
                ":one", n(1),
                ":round", n(round),
                ":history", AttributeValue.fromL(history),
                ":base", n(history.size()),
                ":now", millis(now),
                ":seen", s(status.name()),
                ":v", n(version)));
    boolean indexed = spec.dispatch().claimsFromIndex();
    if (indexed) {
      names.put("#cpk", TaskItem.CLAIM_PK);
      names.put("#ca", TaskItem.CLAIMABLE_AT);
      values.put(":cpk", s(shardPk(spec, spec.sharding().shardOf(TaskItem.index(observed)))));
    }
    // A task of a run claimed from the index goes back into it, due at once.
    String setClaimable = indexed ? ", #cpk = :cpk, #ca = :now" : "";
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(TaskItem.key(spec, TaskItem.index(observed)))
                  .updateExpression(
                      "SET #st = :pending, attempt = :zero, version = version + :one,"
                          + " #round = :round, #h = :history, #base = :base, #due = :now"
                          + setClaimable
                          + " REMOVE #ow, leaseUntil, errorType, errorMessage, finishedAt,"
                          + " durationMs, startedAt, #res")
                  .conditionExpression("#st = :seen AND version = :v")
                  .expressionAttributeNames(names)
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false; // revived by another redriver, which sends its message
    }
  }

  /**
   * Sets an attempt's whole history entry at {@code index} (its claim appended the start): a SET at
   * an index past the list's end appends, so a task whose earlier attempts predate the history
   * still takes the write.
   */
  private static String historyEntry(int index) {
    return "#h[" + index + "] = :attemptEnd";
  }

  private static AttributeValue attemptEnd(
      Lease lease, Instant now, String outcome, String errorType, String message) {
    return TaskItem.historyEnd(
        lease.owner(), lease.startedAt(), now, outcome, errorType, message, lease.round());
  }

  /**
   * The one shape of every write after the claim: conditional on the transition's source status,
   * the version the writer holds and {@code extraCondition}; it records {@code owner} and bumps the
   * version. A failed condition whose item shows exactly this write applied (target status, our
   * owner, version + 1) means our earlier attempt succeeded and only its response was lost. A write
   * that leaves the task RUNNING (a heartbeat) keeps its lease, which it sets; every other ends it.
   */
  private CommitResult versionedWrite(
      Map<String, AttributeValue> key,
      TaskTransition transition,
      String owner,
      long expectedVersion,
      String extraCondition,
      String setClause,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      Instant now) {
    Map<String, String> allNames = new HashMap<>(names);
    allNames.put("#st", TaskItem.STATUS);
    allNames.put("#ow", TaskItem.OWNER);
    Map<String, AttributeValue> allValues = new HashMap<>(values);
    allValues.put(":to", s(transition.to().name()));
    allValues.put(":from", s(TaskStatus.RUNNING.name()));
    allValues.put(":owner", s(owner));
    allValues.put(":v", n(expectedVersion));
    allValues.put(":one", n(1));
    if (setClause.contains(":now") || extraCondition.contains(":now")) {
      allValues.put(":now", millis(now)); // DynamoDB rejects unused expression values
    }
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(key)
            .updateExpression(
                "SET #st = :to, #ow = :owner, version = version + :one, "
                    + setClause
                    + (transition.to() == TaskStatus.RUNNING
                        ? ""
                        : transition.to().isTerminal()
                            ? " REMOVE leaseUntil, " + TaskItem.CLAIM_PK
                            : " REMOVE leaseUntil"))
            .conditionExpression("#st = :from AND version = :v AND " + extraCondition)
            .expressionAttributeNames(allNames)
            .expressionAttributeValues(allValues)
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      return new CommitResult.Committed(
          TaskItem.toRecord(dynamoDb.updateItem(request).attributes()));
    } catch (ConditionalCheckFailedException e) {
      TaskRecord current = e.hasItem() && !e.item().isEmpty() ? TaskItem.toRecord(e.item()) : null;
      if (current != null
          && current.status() == transition.to()
          && owner.equals(current.owner())
          && current.version() == expectedVersion + 1) {
        return new CommitResult.Committed(current);
      }
      return new CommitResult.LostRace(current);
    }
  }

  private static Map<String, AttributeValue> errorValues(String errorType, String message) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":et", TaskItem.errorType(errorType));
    values.put(":em", TaskItem.errorMessage(message));
    return values;
  }

  // ---- reads -----------------------------------------------------------------------------

  public Optional<TaskRecord> get(RunSpec spec, int index) {
    Map<String, AttributeValue> item =
        dynamoDb
            .getItem(b -> b.tableName(table).key(TaskItem.key(spec, index)).consistentRead(true))
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(TaskItem.toRecord(item));
  }

  /**
   * The status of each existing task among {@code first…first+count-1} (BatchGetItem, at most 100
   * keys, UnprocessedKeys retried): a resumed dispatch writes only what is missing.
   */
  public Map<Integer, TaskStatus> statuses(RunSpec spec, int first, int count) {
    if (count > MAX_BATCH_GET) {
      throw new IllegalArgumentException("at most " + MAX_BATCH_GET + " tasks per read");
    }
    List<Map<String, AttributeValue>> keys = new ArrayList<>();
    for (int index = first; index < first + count; index++) {
      keys.add(TaskItem.key(spec, index));
    }
    Map<Integer, TaskStatus> found = new HashMap<>();
    KeysAndAttributes request =
        KeysAndAttributes.builder()
            .keys(keys)
            .consistentRead(true)
            .projectionExpression("idx, #st")
            .expressionAttributeNames(Map.of("#st", TaskItem.STATUS))
            .build();
    for (Map<String, AttributeValue> item :
        Batches.get(dynamoDb, table, request, backoff, "task reads for " + spec.runId())) {
      found.put(TaskItem.index(item), TaskItem.status(item));
    }
    return found;
  }

  /** Visits every task of a run, shard by shard, page by page (1 MB per page). */
  public void forEachTask(RunSpec spec, Consumer<TaskRecord> visitor) {
    for (int shard = 0; shard < spec.shardCount(); shard++) {
      Map<String, AttributeValue> start = null;
      do {
        QueryResponse page = dynamoDb.query(shardQuery(spec, shard, start, null, null));
        page.items().forEach(item -> visitor.accept(TaskItem.toRecord(item)));
        start =
            page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? page.lastEvaluatedKey()
                : null;
      } while (start != null);
    }
  }

  /**
   * One page of a run's tasks in shard order, optionally only those in {@code status}.
   *
   * @param token from the previous page, or empty for the first
   */
  public Page<TaskRecord> listTasks(
      RunSpec spec, Optional<TaskStatus> status, int limit, Optional<String> token) {
    int shard = 0;
    Map<String, AttributeValue> start = null;
    if (token.isPresent()) {
      PageTokens.TaskPosition position = PageTokens.taskPosition(token.get());
      shard = position.shard();
      start = position.sortKey().isEmpty() ? null : key(shardPk(spec, shard), position.sortKey());
    }
    // One task more than the page holds is read, so a token is given only when a task follows:
    // DynamoDB returns a LastEvaluatedKey whenever it stops at the limit, even on a shard's last
    // task, which would send the client to an empty page.
    List<TaskRecord> tasks = new ArrayList<>();
    while (shard < spec.shardCount() && tasks.size() <= limit) {
      QueryResponse page =
          dynamoDb.query(
              shardQuery(spec, shard, start, status.orElse(null), limit + 1 - tasks.size()));
      page.items().forEach(item -> tasks.add(TaskItem.toRecord(item)));
      if (page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()) {
        start = page.lastEvaluatedKey();
      } else {
        shard++;
        start = null;
      }
    }
    if (tasks.size() <= limit) {
      return new Page<>(tasks, Optional.empty());
    }
    TaskRecord last = tasks.get(limit - 1);
    return new Page<>(
        List.copyOf(tasks.subList(0, limit)),
        Optional.of(
            PageTokens.encode(
                new PageTokens.TaskPosition(
                    spec.sharding().shardOf(last.index()), TaskItem.sortKey(last.index())))));
  }

  private QueryRequest shardQuery(
      RunSpec spec,
      int shard,
      Map<String, AttributeValue> start,
      TaskStatus status,
      Integer limit) {
    Map<String, String> names = new HashMap<>(Map.of("#pk", PK, "#sk", SK));
    Map<String, AttributeValue> values =
        new HashMap<>(Map.of(":pk", s(shardPk(spec, shard)), ":prefix", s(TaskItem.SK_PREFIX)));
    QueryRequest.Builder query =
        QueryRequest.builder()
            .tableName(table)
            .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
            .consistentRead(true)
            .exclusiveStartKey(start);
    if (status != null) {
      names.put("#st", TaskItem.STATUS);
      values.put(":st", s(status.name()));
      query.filterExpression("#st = :st");
    }
    if (limit != null) {
      query.limit(limit);
    }
    return query.expressionAttributeNames(names).expressionAttributeValues(values).build();
  }

  // ---- the claimable index (pull runs) ----------------------------------------------------

  /**
   * Up to {@code limit} tasks of one shard that a claim may take at {@code now}: PENDING and due,
   * or RUNNING with an ended lease, the longest waiting first. The index is eventually consistent:
   * a task found may have been claimed or finished meanwhile, which its claim then reports.
   */
  public List<Integer> claimable(RunSpec spec, int shard, Instant now, int limit) {
    QueryResponse page =
        dynamoDb.query(
            b ->
                b.tableName(table)
                    .indexName(TableSchema.CLAIMABLE_INDEX)
                    .keyConditionExpression("#cpk = :cpk AND #ca <= :now")
                    .expressionAttributeNames(
                        Map.of("#cpk", TaskItem.CLAIM_PK, "#ca", TaskItem.CLAIMABLE_AT))
                    .expressionAttributeValues(
                        Map.of(":cpk", s(shardPk(spec, shard)), ":now", millis(now)))
                    .limit(limit));
    List<Integer> found = new ArrayList<>(Math.min(limit, page.items().size()));
    // Never more than asked: a caller sizes its claims (and so its threads) by the limit.
    for (Map<String, AttributeValue> item : page.items()) {
      if (found.size() == limit) {
        break;
      }
      found.add(TaskItem.indexOfSortKey(Items.string(item, SK)));
    }
    return found;
  }

  // ---- the sweep ---------------------------------------------------------------------------

  /**
   * Visits the tasks of one shard as the sweep needs them: no item or result is read, and reads are
   * eventually consistent, since the sweep acts only through {@link #markResent}, which is
   * conditional on what it read, and through idempotent counting.
   */
  public void forEachDue(RunSpec spec, int shard, Consumer<TaskDue> visitor) {
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          dynamoDb.query(
              b ->
                  b.tableName(table)
                      .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                      .projectionExpression(
                          "idx, #st, version, leaseUntil, createdAt, finishedAt, #round, "
                              + String.join(
                                  ", ", TaskItem.DUE_AT, TaskItem.RESENDS, TaskItem.RESENT_AT))
                      .expressionAttributeNames(
                          Map.of(
                              "#pk",
                              PK,
                              "#sk",
                              SK,
                              "#st",
                              TaskItem.STATUS,
                              "#round",
                              TaskItem.ROUND))
                      .expressionAttributeValues(
                          Map.of(":pk", s(shardPk(spec, shard)), ":prefix", s(TaskItem.SK_PREFIX)))
                      .exclusiveStartKey(from));
      page.items().forEach(item -> visitor.accept(TaskItem.toDue(item)));
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
  }

  /**
   * Records that the sweep sends a task's message again now, if the task is still as it read it.
   * The version is left alone, so a live owner's writes stay valid; a task that moved on (claimed,
   * released, finished) is left to its new state.
   *
   * @return true if recorded: the caller sends the message
   */
  public boolean markResent(RunSpec spec, TaskDue observed) {
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(TaskItem.key(spec, observed.index()))
                  .updateExpression("SET #at = :now ADD #resends :one")
                  .conditionExpression("#st = :st AND version = :v")
                  .expressionAttributeNames(
                      Map.of(
                          "#st",
                          TaskItem.STATUS,
                          "#at",
                          TaskItem.RESENT_AT,
                          "#resends",
                          TaskItem.RESENDS))
                  .expressionAttributeValues(
                      Map.of(
                          ":now", millis(clock.instant()),
                          ":one", n(1),
                          ":st", s(observed.status().name()),
                          ":v", n(observed.version()))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }
}
