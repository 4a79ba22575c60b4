package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.PK;
import static io.hubspoke.core.store.Items.key;
import static io.hubspoke.core.store.Items.millis;
import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.model.Sharding;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Run items. The run record takes a handful of writes per run (create, end of dispatch, one per
 * drained shard, summary), never one per task, so it is never a hot key.
 */
public final class RunStore {
  /** The item holding where the last sweep stopped. */
  static final String SWEEP_PK = "SWEEP";

  static final String SWEEP_CURSOR_SK = "CURSOR";

  /** The sort key of a run's gate item. */
  static final String GATE_SK = "G";

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final Clock clock;

  public RunStore(DynamoDbClient dynamoDb, String table, Clock clock) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    this.clock = clock;
  }

  /** Created, or the run that already holds this id (same idempotency key). */
  public sealed interface CreateResult {
    record Created(RunRecord run) implements CreateResult {}

    record Existing(RunRecord run) implements CreateResult {}
  }

  /**
   * Conditional put: the run id (derived from the idempotency key) must be new, or belong to a run
   * that has expired (TTL deletes late: an expired run is treated as gone). The request's chunks
   * are written before, so the run exists only once all of it is durable.
   */
  public CreateResult create(RunSpec spec, String requestHash, Optional<String> idempotencyKey) {
    Map<String, AttributeValue> item = RunItem.newItem(spec, requestHash, idempotencyKey);
    try {
      dynamoDb.putItem(
          b ->
              b.tableName(table)
                  .item(item)
                  .conditionExpression("attribute_not_exists(#pk) OR #exp <= :nowSeconds")
                  .expressionAttributeNames(Map.of("#pk", PK, "#exp", TableSchema.TTL_ATTRIBUTE))
                  .expressionAttributeValues(
                      Map.of(":nowSeconds", n(clock.instant().getEpochSecond())))
                  .returnValuesOnConditionCheckFailure(
                      ReturnValuesOnConditionCheckFailure.ALL_OLD));
      return new CreateResult.Created(RunItem.toRecord(item));
    } catch (ConditionalCheckFailedException e) {
      RunRecord existing = RunItem.toRecord(e.item());
      if (spec.incarnation().equals(existing.spec().incarnation())) {
        return new CreateResult.Created(existing); // our put, applied; its response was lost
      }
      return new CreateResult.Existing(existing);
    }
  }

  /** The run, unless it does not exist or has expired (TTL may not have deleted it yet). */
  public Optional<RunRecord> get(String runId) {
    Map<String, AttributeValue> item =
        dynamoDb
            .getItem(b -> b.tableName(table).key(RunItem.key(runId)).consistentRead(true))
            .item();
    if (item == null || item.isEmpty() || expired(item)) {
      return Optional.empty();
    }
    return Optional.of(RunItem.toRecord(item));
  }

  private boolean expired(Map<String, AttributeValue> item) {
    return RunItem.expiredAt(item, clock.instant());
  }

  /**
   * Records that {@code chunk}'s tasks are written and sent; idempotent (a number set). Returns the
   * run after the write: its dispatched chunks, and whether their number is final ({@link
   * RunSpec#totalKnown()}: a discovered run learns it when discovery ends).
   */
  public RunRecord addDispatchedChunk(RunSpec spec, int chunk) {
    Map<String, AttributeValue> after =
        dynamoDb
            .updateItem(
                b ->
                    b.tableName(table)
                        .key(RunItem.key(spec.runId()))
                        .updateExpression(
                            "ADD dispatchedChunks :chunk SET dispatchProgressAt = :now")
                        .conditionExpression("incarnation = :inc")
                        .expressionAttributeValues(
                            Map.of(
                                ":chunk",
                                AttributeValue.fromNs(List.of(Integer.toString(chunk))),
                                ":now",
                                millis(clock.instant()),
                                ":inc",
                                s(spec.incarnation())))
                        .returnValues(ReturnValue.ALL_NEW))
            .attributes();
    return RunItem.toRecord(after);
  }

  /**
   * DISPATCHING → RUNNING once every chunk is dispatched. Exactly one caller gets {@code true}, and
   * that caller announces it.
   *
   * @param detector unique per call, to recognise a retried call whose first response was lost
   */
  public boolean finishDispatch(RunSpec spec, String detector) {
    return update(
        spec.runId(),
        "SET #st = :running, dispatchedAt = :now, dispatchedBy = :by",
        "incarnation = :inc AND #st = :dispatching",
        Map.of(
            ":running", s(RunStatus.RUNNING.name()),
            ":dispatching", s(RunStatus.DISPATCHING.name()),
            ":inc", s(spec.incarnation()),
            ":by", s(detector)),
        old -> detector.equals(Items.string(old, RunItem.DISPATCHED_BY)));
  }

  /**
   * DISPATCHING (or DISCOVERING) → FAILED: the durable request cannot be dispatched (a chunk is
   * gone, or keeps failing). The tasks already dispatched may still run; the run's outcome is
   * decided.
   */
  public boolean failDispatch(RunSpec spec, String summaryJson) {
    return update(
        spec.runId(),
        "SET #st = :failed, summary = :summary, completedAt = :now",
        "incarnation = :inc AND #st IN (:dispatching, :discovering, :cancelling)",
        Map.of(
            ":failed", s(RunStatus.FAILED.name()),
            ":dispatching", s(RunStatus.DISPATCHING.name()),
            ":discovering", s(RunStatus.DISCOVERING.name()),
            ":cancelling", s(RunStatus.CANCELLING.name()),
            ":inc", s(spec.incarnation()),
            ":summary", s(summaryJson)),
        old -> RunStatus.FAILED.name().equals(Items.string(old, RunItem.STATUS)));
  }

  /**
   * Records that {@code shard} is drained; idempotent (a number set). Returns the run after the
   * write: its drained shards, and whether their number is final ({@link RunSpec#totalKnown()}).
   */
  public RunRecord addDrainedShard(RunSpec spec, int shard) {
    return addDrainedShard(spec, shard, 0)
        .orElseThrow(() -> new IllegalStateException("run " + spec.runId() + " was redriven"));
  }

  /**
   * Records that {@code shard} drained in redrive round {@code round}, if the run is still in that
   * round: a spoke late to record a shard that a redrive has since reopened must not mark it
   * drained again.
   *
   * @return the run after the write, or empty if the run is in another round (or was recreated)
   */
  public Optional<RunRecord> addDrainedShard(RunSpec spec, int shard, int round) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":shard", AttributeValue.fromNs(List.of(Integer.toString(shard))));
    return roundWrite(spec, round, "ADD drainedShards :shard", "", Map.of(), values);
  }

  /**
   * Records a shard's failed count, as its counter just said, in the run of a failure tolerance,
   * unless a larger one is recorded or the run has moved on to another round. Idempotent.
   *
   * @return the run after the write (its {@link RunRecord#failuresRecorded()}), or empty
   */
  public Optional<RunRecord> recordShardFailures(RunSpec spec, int round, int shard, int failed) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":n", n(failed));
    return roundWrite(
        spec,
        round,
        "SET #f.#s = :n",
        " AND attribute_exists(#f) AND (attribute_not_exists(#f.#s) OR #f.#s <= :n)",
        Map.of("#f", RunItem.FAILURES_BY_SHARD, "#s", Integer.toString(shard)),
        values);
  }

  /**
   * An update of the run item conditional on its incarnation and redrive round (and {@code
   * alsoIf}): a spoke late with a write for a round the run has left changes nothing.
   *
   * @return the run after the write, or empty if a condition failed
   */
  private Optional<RunRecord> roundWrite(
      RunSpec spec,
      int round,
      String update,
      String alsoIf,
      Map<String, String> names,
      Map<String, AttributeValue> values) {
    values.put(":inc", s(spec.incarnation()));
    String inRound = Items.inRound(round, values);
    Map<String, String> allNames = new HashMap<>(names);
    allNames.put("#round", RunItem.ROUND);
    try {
      Map<String, AttributeValue> after =
          dynamoDb
              .updateItem(
                  b ->
                      b.tableName(table)
                          .key(RunItem.key(spec.runId()))
                          .updateExpression(update)
                          .conditionExpression("incarnation = :inc AND (" + inRound + ")" + alsoIf)
                          .expressionAttributeNames(allNames)
                          .expressionAttributeValues(values)
                          .returnValues(ReturnValue.ALL_NEW))
              .attributes();
      return Optional.of(RunItem.toRecord(after));
    } catch (ConditionalCheckFailedException e) {
      return Optional.empty();
    }
  }

  /** What a redrive request found. */
  public sealed interface RedriveResult {
    /** The run is RUNNING again in the next round. */
    record Redriven(RunRecord run) implements RedriveResult {}

    /** The run changed between the read and the write (another redrive, say): read it again. */
    record Changed() implements RedriveResult {}
  }

  /**
   * A finished run ({@code seen}) → RUNNING in round {@code redrive.round()}: its summary, drain
   * and cancel are cleared, the shards to redrive leave the drained set, and it is open again (the
   * sweep watches it). Conditional on the status and round read, so two redrives of the same round
   * cannot both start.
   */
  public RedriveResult startRedrive(
      RunRecord seen,
      RunRecord.Redrive redrive,
      Set<Integer> shards,
      Map<Integer, Integer> failuresByShard) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":running", s(RunStatus.RUNNING.name()));
    values.put(":next", n(redrive.round()));
    List<String> shardNumbers = shards.stream().map(String::valueOf).toList();
    values.put(":shards", AttributeValue.fromNs(shardNumbers));
    // The list is written whole, as read plus this one, its oldest dropped past the bound: the
    // write's condition on the round read means nobody changed it meanwhile.
    values.put(
        ":redrives",
        AttributeValue.fromL(
            RunItem.redrivesKept(seen.redrives(), redrive).stream()
                .map(RunItem::redriveEntry)
                .toList()));
    values.put(":open", s(RunItem.OPEN_PARTITION));
    // A run with a failure tolerance starts the round with its shards' failures as they will be.
    String failures = "";
    if (seen.spec().controls().tolerates()) {
      Map<String, AttributeValue> byShard = new HashMap<>();
      failuresByShard.forEach((shard, failed) -> byShard.put(shard.toString(), n(failed)));
      values.put(":failures", AttributeValue.fromM(byShard));
      failures = ", " + RunItem.FAILURES_BY_SHARD + " = :failures";
    }
    String setFailures = failures;
    values.put(":inc", s(seen.spec().incarnation()));
    values.put(":seen", s(seen.status().name()));
    String inRound = Items.inRound(seen.round(), values);
    try {
      Map<String, AttributeValue> after =
          dynamoDb
              .updateItem(
                  b ->
                      b.tableName(table)
                          .key(RunItem.key(seen.runId()))
                          .updateExpression(
                              "SET #st = :running, #round = :next,"
                                  + " #redriveShards = :shards,"
                                  + " #redrives = :redrives, #open = :open"
                                  + setFailures
                                  + " REMOVE drainedAt, drainedBy, summary, completedAt,"
                                  + " completedEventAt, cancelRequestedAt, summarizer,"
                                  + " summarizerLeaseUntil, #stop, "
                                  + RunItem.CANCEL_TOKEN
                                  + " DELETE drainedShards :shards")
                          .conditionExpression(
                              "incarnation = :inc AND #st = :seen AND attribute_exists(completedAt)"
                                  + " AND ("
                                  + inRound
                                  + ")")
                          .expressionAttributeNames(
                              Map.of(
                                  "#st", RunItem.STATUS,
                                  "#round", RunItem.ROUND,
                                  "#redriveShards", RunItem.REDRIVE_SHARDS,
                                  "#redrives", RunItem.REDRIVES,
                                  "#open", TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY,
                                  "#stop", RunItem.STOP_REASON))
                          .expressionAttributeValues(values)
                          .returnValues(ReturnValue.ALL_NEW)
                          .returnValuesOnConditionCheckFailure(
                              ReturnValuesOnConditionCheckFailure.ALL_OLD))
              .attributes();
      return new RedriveResult.Redriven(RunItem.toRecord(after));
    } catch (ConditionalCheckFailedException e) {
      if (e.hasItem() && !e.item().isEmpty()) {
        RunRecord now = RunItem.toRecord(e.item());
        List<RunRecord.Redrive> redrives = now.redrives();
        if (now.round() == redrive.round()
            && !redrives.isEmpty()
            && sameRedrive(redrives.get(redrives.size() - 1), redrive)) {
          // Our write was applied and its response lost; the SDK's retry then failed the check.
          return new RedriveResult.Redriven(now);
        }
      }
      return new RedriveResult.Changed();
    }
  }

  /** What a cancel request found. */
  public sealed interface CancelResult {
    /**
     * The run is CANCELLING, by this request or an earlier one.
     *
     * @param first whether this request made it so
     */
    record Cancelling(RunRecord run, boolean first) implements CancelResult {}

    /** The run had already finished, or is being summarized: nothing is left to cancel. */
    record Finished(RunRecord run) implements CancelResult {}

    record NotFound() implements CancelResult {}
  }

  /**
   * DISCOVERING, DISPATCHING or RUNNING → CANCELLING, with {@code cancelRequestedAt}. A discovering
   * run's discovery ends in the same write, its total what it had checkpointed (a holder's later
   * checkpoint fails its condition). Idempotent: an earlier cancel is reported.
   */
  public CancelResult requestCancel(String runId) {
    return requestCancel(runId, null);
  }

  /**
   * As {@link #requestCancel(String)}, for a run stopped because its failures passed its tolerance:
   * {@code stopReason} is recorded with the cancel, and the run ends FAILED with it.
   */
  public CancelResult requestCancel(String runId, String stopReason) {
    for (int tries = 0; tries < 5; tries++) {
      Optional<RunRecord> found = get(runId);
      if (found.isEmpty()) {
        return new CancelResult.NotFound();
      }
      RunRecord run = found.get();
      RunStatus status = run.status();
      if (status == RunStatus.CANCELLING) {
        return new CancelResult.Cancelling(run, false);
      }
      if (!status.canTransitionTo(RunStatus.CANCELLING)) {
        return new CancelResult.Finished(run);
      }
      Map<String, AttributeValue> values = new HashMap<>();
      values.put(":cancelling", s(RunStatus.CANCELLING.name()));
      values.put(":seen", s(status.name()));
      values.put(":inc", s(run.spec().incarnation()));
      values.put(":now", millis(clock.instant()));
      String token = java.util.UUID.randomUUID().toString();
      values.put(":token", s(token));
      String update = "SET #st = :cancelling, cancelRequestedAt = :now, #token = :token";
      if (stopReason != null) {
        update += ", " + RunItem.STOP_REASON + " = :reason";
        values.put(":reason", s(stopReason));
      }
      if (status == RunStatus.DISCOVERING) {
        update += ", discoveryEndedAt = :now, dispatchProgressAt = :now REMOVE discoveryLeaseUntil";
      }
      String expression = update;
      try {
        Map<String, AttributeValue> after =
            dynamoDb
                .updateItem(
                    b ->
                        b.tableName(table)
                            .key(RunItem.key(runId))
                            .updateExpression(expression)
                            .conditionExpression("incarnation = :inc AND #st = :seen")
                            .expressionAttributeNames(
                                Map.of("#st", RunItem.STATUS, "#token", RunItem.CANCEL_TOKEN))
                            .expressionAttributeValues(values)
                            .returnValues(ReturnValue.ALL_NEW)
                            .returnValuesOnConditionCheckFailure(
                                ReturnValuesOnConditionCheckFailure.ALL_OLD))
                .attributes();
        return new CancelResult.Cancelling(RunItem.toRecord(after), true);
      } catch (ConditionalCheckFailedException e) {
        if (e.hasItem() && token.equals(Items.string(e.item(), RunItem.CANCEL_TOKEN))) {
          // Our write was applied and its response lost; the SDK's retry then failed the check.
          return new CancelResult.Cancelling(RunItem.toRecord(e.item()), true);
        }
        // It moved on meanwhile: read again.
      }
    }
    throw new IllegalStateException("run " + runId + " kept changing while it was cancelled");
  }

  /** The same redrive, as the table keeps it (its time to the millisecond). */
  private static boolean sameRedrive(RunRecord.Redrive stored, RunRecord.Redrive asked) {
    return stored.round() == asked.round()
        && stored.tasks() == asked.tasks()
        && stored.shards() == asked.shards()
        && stored.statuses().equals(asked.statuses())
        && stored.requestedAt().toEpochMilli() == asked.requestedAt().toEpochMilli();
  }

  /**
   * Closes the run's gate: a spoke that claims a task of the run from now on learns that it is
   * cancelled before it runs it ({@link #gateClosed}). Idempotent.
   */
  public void closeGate(RunSpec spec) {
    closeGate(spec, 0);
  }

  /**
   * Closes the run's gate for the tasks of redrive round {@code round} and before: a later
   * redrive's tasks pass it, until a cancel of that round closes it again.
   */
  public void closeGate(RunSpec spec, int round) {
    Map<String, AttributeValue> item = new HashMap<>(key(Items.gatePk(spec), GATE_SK));
    item.put("runId", s(spec.runId()));
    item.put("round", n(round));
    item.put("closedAt", millis(clock.instant()));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    dynamoDb.putItem(b -> b.tableName(table).item(item));
  }

  /** Whether the run's gate is closed (a strongly consistent read of a tiny item: 1 read unit). */
  public boolean gateClosed(RunSpec spec) {
    return gateClosed(spec, 0);
  }

  /** Whether the run's gate is closed to a task of redrive round {@code round}. */
  public boolean gateClosed(RunSpec spec, int round) {
    Map<String, AttributeValue> item =
        dynamoDb
            .getItem(
                b ->
                    b.tableName(table)
                        .key(key(Items.gatePk(spec), GATE_SK))
                        .consistentRead(true)
                        .projectionExpression("closedAt, #round")
                        .expressionAttributeNames(Map.of("#round", "round")))
            .item();
    return item != null && !item.isEmpty() && Items.integer(item, "round", 0) >= round;
  }

  /** What a claim of a run's discovery found. */
  public sealed interface DiscoveryClaim {
    /**
     * Ours until the lease we asked for: the run as the claim left it.
     *
     * @param takeover whether the last holder's lease ran out without it giving discovery up (it
     *     died, or ran out of time): what it checkpointed may not all have been sent
     */
    record Claimed(RunRecord run, boolean takeover) implements DiscoveryClaim {}

    /** Another hub invocation holds it until then. */
    record Leased(Instant leaseUntil) implements DiscoveryClaim {}

    /** Discovery is over (ended, or the run failed or is gone). */
    record Over() implements DiscoveryClaim {}
  }

  /**
   * Claims a DISCOVERING run's discovery until {@code leaseUntil}, if no live lease holds it;
   * counts the attempt (since the last checkpoint). A lease given up ({@link #releaseDiscovery}) is
   * claimed at once; one that ran out is taken over, conditional on the lease seen.
   *
   * @param owner unique per claim call, so a retried call recognises its own applied write
   */
  public DiscoveryClaim claimDiscovery(
      String runId, String incarnation, String owner, Instant leaseUntil) {
    Instant now = clock.instant();
    try {
      return new DiscoveryClaim.Claimed(
          claimDiscovery(runId, incarnation, owner, leaseUntil, null), false);
    } catch (ConditionalCheckFailedException e) {
      Optional<DiscoveryClaim> settled = settledClaim(e, incarnation, owner, now);
      if (settled.isPresent()) {
        return settled.get();
      }
      Instant seen = Items.instant(e.item(), RunItem.DISCOVERY_LEASE_UNTIL);
      try {
        return new DiscoveryClaim.Claimed(
            claimDiscovery(runId, incarnation, owner, leaseUntil, seen), true);
      } catch (ConditionalCheckFailedException again) {
        return settledClaim(again, incarnation, owner, now)
            .orElseGet(
                () ->
                    new DiscoveryClaim.Leased(
                        Items.instant(again.item(), RunItem.DISCOVERY_LEASE_UNTIL)));
      }
    }
  }

  /**
   * What a refused claim means, unless it is a lease that ran out (which the caller may take over).
   */
  private static Optional<DiscoveryClaim> settledClaim(
      ConditionalCheckFailedException e, String incarnation, String owner, Instant now) {
    if (!e.hasItem() || e.item().isEmpty()) {
      return Optional.of(new DiscoveryClaim.Over());
    }
    Map<String, AttributeValue> current = e.item();
    boolean discovering =
        incarnation.equals(Items.string(current, RunItem.INCARNATION))
            && RunStatus.DISCOVERING.name().equals(Items.string(current, RunItem.STATUS));
    if (!discovering) {
      return Optional.of(new DiscoveryClaim.Over());
    }
    if (owner.equals(Items.string(current, RunItem.DISCOVERY_OWNER))) {
      // Our claim was applied and its response lost.
      return Optional.of(new DiscoveryClaim.Claimed(RunItem.toRecord(current), false));
    }
    Instant lease = Items.instant(current, RunItem.DISCOVERY_LEASE_UNTIL);
    if (lease != null && lease.isAfter(now)) {
      return Optional.of(new DiscoveryClaim.Leased(lease));
    }
    return Optional.empty();
  }

  /**
   * @param expiredLease null to claim a discovery no lease holds; else the lease that ran out
   */
  private RunRecord claimDiscovery(
      String runId, String incarnation, String owner, Instant leaseUntil, Instant expiredLease) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":owner", s(owner));
    values.put(":lease", millis(leaseUntil));
    values.put(":now", millis(clock.instant()));
    values.put(":one", n(1));
    values.put(":inc", s(incarnation));
    values.put(":discovering", s(RunStatus.DISCOVERING.name()));
    String lease;
    if (expiredLease == null) {
      lease = "attribute_not_exists(discoveryLeaseUntil)";
    } else {
      lease = "discoveryLeaseUntil = :seen AND discoveryLeaseUntil <= :now";
      values.put(":seen", millis(expiredLease));
    }
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(RunItem.key(runId))
            .updateExpression(
                "SET discoveryOwner = :owner, discoveryLeaseUntil = :lease,"
                    + " discoveryProgressAt = :now, discoveryAttempt = discoveryAttempt + :one")
            .conditionExpression(
                "attribute_exists(#pk) AND incarnation = :inc AND #st = :discovering AND " + lease)
            .expressionAttributeNames(Map.of("#pk", PK, "#st", RunItem.STATUS))
            .expressionAttributeValues(values)
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    return RunItem.toRecord(dynamoDb.updateItem(request).attributes());
  }

  /**
   * One page of discovery, made part of the run: the cursor moves on, the page's chunks (written
   * before, at {@code chunkStarts}) join the run and the total grows by {@code pageItems}. On the
   * last page ({@code nextCursor} null) discovery ends in the same write: DISCOVERING → DISPATCHING
   * with the total final. Conditional on {@code owner} holding discovery at {@code pagesBefore}
   * pages, so a page is added once, by the holder of the lease.
   *
   * @return the run after the write, or empty if {@code owner} lost the discovery
   */
  public Optional<RunRecord> checkpointDiscovery(
      RunSpec spec,
      String owner,
      int pagesBefore,
      int pageItems,
      List<Integer> chunkStarts,
      String nextCursor) {
    int total = spec.total() + pageItems;
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":owner", s(owner));
    values.put(":pages", n(pagesBefore));
    values.put(":next", n(pagesBefore + 1L));
    values.put(":total", n(total));
    values.put(":shards", n(Sharding.ceilDiv(total, Sharding.MAX_TASKS_PER_SHARD)));
    values.put(
        ":starts", AttributeValue.fromL(chunkStarts.stream().map(start -> n(start)).toList()));
    values.put(":zero", n(0));
    values.put(":now", millis(clock.instant()));
    values.put(":discovering", s(RunStatus.DISCOVERING.name()));
    StringBuilder update =
        new StringBuilder(
            "SET pages = :next, #total = :total, shardCount = :shards,"
                + " chunkStarts = list_append(chunkStarts, :starts), discoveryAttempt = :zero,"
                + " discoveryProgressAt = :now");
    if (nextCursor != null) {
      update.append(", #cursor = :cursor REMOVE discoveryLastError");
      values.put(":cursor", s(nextCursor));
    } else {
      update.append(", #st = :dispatching, discoveryEndedAt = :now, dispatchProgressAt = :now");
      update.append(" REMOVE #cursor, discoveryLeaseUntil, discoveryLastError");
      values.put(":dispatching", s(RunStatus.DISPATCHING.name()));
    }
    return discoveryWrite(
        spec,
        owner,
        update.toString(),
        values,
        item -> pagesBefore + 1 == Items.integer(item, RunItem.PAGES, -1));
  }

  /**
   * Ends a discovery that failed: DISCOVERING → DISPATCHING with the total it reached and the
   * error; the tasks it dispatched run on and are summarized, and the run ends FAILED.
   *
   * @return the run after the write, or empty if {@code owner} lost the discovery
   */
  public Optional<RunRecord> failDiscovery(
      RunSpec spec, String owner, int pagesBefore, String error) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":owner", s(owner));
    values.put(":pages", n(pagesBefore));
    values.put(":error", s(error));
    values.put(":now", millis(clock.instant()));
    values.put(":discovering", s(RunStatus.DISCOVERING.name()));
    values.put(":dispatching", s(RunStatus.DISPATCHING.name()));
    return discoveryWrite(
        spec,
        owner,
        "SET #st = :dispatching, discoveryEndedAt = :now, discoveryError = :error,"
            + " dispatchProgressAt = :now REMOVE discoveryLeaseUntil",
        values,
        item -> error.equals(Items.string(item, RunItem.DISCOVERY_ERROR)));
  }

  /**
   * Gives discovery up before the lease ends, so the next message can claim it at once.
   *
   * @param error why a page could not be fetched this time (null: none, time ran out), kept to
   *     explain the failure if the page never comes
   */
  public void releaseDiscovery(RunSpec spec, String owner, String error) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":inc", s(spec.incarnation()));
    values.put(":owner", s(owner));
    String set = " SET discoveryProgressAt = :now";
    if (error != null) {
      set += ", discoveryLastError = :error";
      values.put(":error", s(error.length() > 2000 ? error.substring(0, 2000) : error));
    }
    update(
        spec.runId(),
        "REMOVE discoveryLeaseUntil" + set,
        "incarnation = :inc AND discoveryOwner = :owner",
        values,
        old -> true);
  }

  private Optional<RunRecord> discoveryWrite(
      RunSpec spec,
      String owner,
      String update,
      Map<String, AttributeValue> values,
      java.util.function.Predicate<Map<String, AttributeValue>> appliedBefore) {
    values.put(":inc", s(spec.incarnation()));
    Map<String, String> names = new HashMap<>();
    names.put("#pk", PK);
    names.put("#st", RunItem.STATUS);
    if (update.contains("#total")) {
      names.put("#total", RunItem.TOTAL);
    }
    if (update.contains("#cursor")) {
      names.put("#cursor", RunItem.CURSOR);
    }
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(RunItem.key(spec.runId()))
            .updateExpression(update)
            .conditionExpression(
                "attribute_exists(#pk) AND incarnation = :inc AND #st = :discovering AND"
                    + " discoveryOwner = :owner AND pages = :pages")
            .expressionAttributeNames(names)
            .expressionAttributeValues(values)
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      return Optional.of(RunItem.toRecord(dynamoDb.updateItem(request).attributes()));
    } catch (ConditionalCheckFailedException e) {
      if (e.hasItem()
          && !e.item().isEmpty()
          && owner.equals(Items.string(e.item(), RunItem.DISCOVERY_OWNER))
          && appliedBefore.test(e.item())) {
        return Optional.of(RunItem.toRecord(e.item())); // our write, applied; its response lost
      }
      return Optional.empty();
    }
  }

  /**
   * Marks the run drained. Exactly one caller gets {@code true}, and that caller announces it.
   *
   * @param detector unique per call, to recognise a retried call whose first response was lost
   */
  public boolean markDrained(RunSpec spec, String detector) {
    return markDrained(spec, detector, 0);
  }

  /** Marks the run drained in redrive round {@code round}, if it is still in that round. */
  public boolean markDrained(RunSpec spec, String detector, int round) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":by", s(detector));
    values.put(":inc", s(spec.incarnation()));
    String inRound = Items.inRound(round, values);
    return update(
        spec.runId(),
        "SET drainedAt = :now, drainedBy = :by",
        "incarnation = :inc AND attribute_not_exists(drainedAt) AND (" + inRound + ")",
        values,
        old -> detector.equals(Items.string(old, RunItem.DRAINED_BY)));
  }

  /**
   * DISPATCHING/RUNNING → SUMMARIZING for a drained run, or a takeover of a summary whose
   * collector's lease expired.
   */
  public boolean beginSummary(String runId, String owner, Instant leaseUntil) {
    return update(
        runId,
        "SET #st = :summarizing, summarizer = :owner, summarizerLeaseUntil = :lease",
        "attribute_exists(drainedAt) AND (#st IN (:dispatching, :running, :cancelling)"
            + " OR (#st = :summarizing AND summarizerLeaseUntil <= :now))",
        Map.of(
            ":summarizing", s(RunStatus.SUMMARIZING.name()),
            ":dispatching", s(RunStatus.DISPATCHING.name()),
            ":running", s(RunStatus.RUNNING.name()),
            ":cancelling", s(RunStatus.CANCELLING.name()),
            ":owner", s(owner),
            ":lease", millis(leaseUntil)),
        old ->
            RunStatus.SUMMARIZING.name().equals(Items.string(old, RunItem.STATUS))
                && owner.equals(Items.string(old, RunItem.SUMMARIZER)));
  }

  /** SUMMARIZING → SUCCEEDED/FAILED with the summary, if {@code owner} still holds the summary. */
  public boolean finishSummary(String runId, String owner, RunStatus outcome, String summaryJson) {
    if (!outcome.isTerminal()) {
      throw new IllegalArgumentException(outcome + " is not a final run status");
    }
    return update(
        runId,
        "SET #st = :outcome, summary = :summary, completedAt = :now",
        "#st = :summarizing AND summarizer = :owner",
        Map.of(
            ":outcome", s(outcome.name()),
            ":summarizing", s(RunStatus.SUMMARIZING.name()),
            ":owner", s(owner),
            ":summary", s(summaryJson)),
        old ->
            outcome.name().equals(Items.string(old, RunItem.STATUS))
                && owner.equals(Items.string(old, RunItem.SUMMARIZER)));
  }

  /** The run's end is announced: it leaves the open-runs index, and no sweep reads it again. */
  public void markCompletedEventPublished(String runId) {
    update(
        runId,
        "SET completedEventAt = :now REMOVE " + TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY,
        "attribute_exists(completedAt)",
        Map.of(),
        old -> true);
  }

  /** A run in the open-runs index: its id, and its place in the index (creation time + id). */
  public record OpenRun(String runId, String sortKey) {}

  /**
   * The open runs (not finished, or whose {@code RunCompleted} was not yet published), newest
   * first: what a sweep must look at. Reads only the sparse open-runs index, whatever the history.
   * The index is eventually consistent: a run just finished may still be listed.
   */
  public List<OpenRun> openRuns() {
    List<OpenRun> found = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          dynamoDb.query(
              b ->
                  b.tableName(table)
                      .indexName(TableSchema.OPEN_RUNS_INDEX)
                      .keyConditionExpression("#p = :p")
                      .expressionAttributeNames(
                          Map.of("#p", TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY))
                      .expressionAttributeValues(Map.of(":p", s(RunItem.OPEN_PARTITION)))
                      .scanIndexForward(false)
                      .exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : page.items()) {
        found.add(
            new OpenRun(
                Items.runIdOf(Items.string(item, PK)),
                Items.string(item, TableSchema.OPEN_RUNS_INDEX_SORT_KEY)));
      }
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return found;
  }

  /** Where the last sweep stopped for lack of time (an open run's sort key), if it did. */
  public Optional<String> sweepCursor() {
    Map<String, AttributeValue> item =
        dynamoDb
            .getItem(
                b ->
                    b.tableName(table)
                        .key(key(SWEEP_PK, SWEEP_CURSOR_SK))
                        .consistentRead(true)
                        .projectionExpression("stoppedAfter"))
            .item();
    return Optional.ofNullable(item == null ? null : Items.string(item, "stoppedAfter"));
  }

  /** Records where this sweep stopped, or that it went round every open run (empty). */
  public void saveSweepCursor(Optional<String> stoppedAfter) {
    dynamoDb.updateItem(
        b -> {
          b.tableName(table).key(key(SWEEP_PK, SWEEP_CURSOR_SK));
          if (stoppedAfter.isPresent()) {
            b.updateExpression("SET stoppedAfter = :after, updatedAt = :now")
                .expressionAttributeValues(
                    Map.of(":after", s(stoppedAfter.get()), ":now", millis(clock.instant())));
          } else {
            b.updateExpression("REMOVE stoppedAfter SET updatedAt = :now")
                .expressionAttributeValues(Map.of(":now", millis(clock.instant())));
          }
        });
  }

  /**
   * Runs newest first, one page at a time. A page has a next token only if a run follows it: the
   * query asks for one run more than the page holds, since DynamoDB returns a LastEvaluatedKey
   * whenever it stops at the limit, even on the last item, which would send a client that trusts
   * the token to an empty page. It goes on reading while DynamoDB stops early (its 1 MB per
   * response), so a page is never short while runs remain.
   */
  public Page<RunRecord> list(int limit, Optional<String> token) {
    return list(limit, token, RunFilter.ALL);
  }

  /**
   * Which runs a listing shows: those in one of {@code statuses} (all if empty), created at or
   * after {@code since}.
   */
  public record RunFilter(java.util.Set<RunStatus> statuses, Optional<Instant> since) {
    public static final RunFilter ALL = new RunFilter(java.util.Set.of(), Optional.empty());

    public RunFilter {
      statuses = java.util.Set.copyOf(statuses);
    }
  }

  /**
   * Runs newest first, filtered: {@code since} bounds the index query itself, a status filter is
   * applied by DynamoDB after it reads (so a page may take several queries; it is still full unless
   * it is the last). A page token goes with the filter it was made with.
   */
  public Page<RunRecord> list(int limit, Optional<String> token, RunFilter filter) {
    Map<String, AttributeValue> start =
        token.map(PageTokens::runPosition).map(RunItem::indexKey).orElse(null);
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#p", TableSchema.RUNS_INDEX_PARTITION_KEY);
    values.put(":p", s(RunItem.RUNS_PARTITION));
    String keyCondition = "#p = :p";
    if (filter.since().isPresent()) {
      keyCondition += " AND #s >= :since";
      names.put("#s", TableSchema.RUNS_INDEX_SORT_KEY);
      values.put(":since", s(String.format("%013d", filter.since().get().toEpochMilli())));
    }
    String statusFilter = null;
    if (!filter.statuses().isEmpty()) {
      List<String> placeholders = new ArrayList<>();
      for (RunStatus status : filter.statuses().stream().sorted().toList()) {
        String placeholder = ":st" + placeholders.size();
        placeholders.add(placeholder);
        values.put(placeholder, s(status.name()));
      }
      names.put("#st", RunItem.STATUS);
      statusFilter = "#st IN (" + String.join(", ", placeholders) + ")";
    }
    String condition = keyCondition;
    String filterExpression = statusFilter;
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    do {
      Map<String, AttributeValue> from = start;
      int wanted = limit + 1 - items.size();
      QueryResponse page =
          dynamoDb.query(
              b ->
                  b.tableName(table)
                      .indexName(TableSchema.RUNS_INDEX)
                      .keyConditionExpression(condition)
                      .filterExpression(filterExpression)
                      .expressionAttributeNames(names)
                      .expressionAttributeValues(values)
                      .scanIndexForward(false)
                      .limit(wanted)
                      .exclusiveStartKey(from));
      // An expired run may linger until TTL deletes it: it is gone for every reader.
      page.items().stream().filter(item -> !expired(item)).forEach(items::add);
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null && items.size() <= limit);
    List<RunRecord> runs = new ArrayList<>();
    items.stream().limit(limit).forEach(item -> runs.add(RunItem.toRecord(item)));
    Optional<String> next =
        items.size() > limit
            ? Optional.of(PageTokens.encode(RunItem.position(items.get(limit - 1))))
            : Optional.empty();
    return new Page<>(runs, next);
  }

  /** A conditional update of the run item; {@code ours} recognises our own lost-response write. */
  private boolean update(
      String runId,
      String updateExpression,
      String condition,
      Map<String, AttributeValue> values,
      java.util.function.Predicate<Map<String, AttributeValue>> ours) {
    Map<String, AttributeValue> allValues = new HashMap<>(values);
    allValues.put(":now", millis(clock.instant()));
    Map<String, String> names = new HashMap<>();
    if (updateExpression.contains("#st") || condition.contains("#st")) {
      names.put("#st", RunItem.STATUS);
    }
    if (updateExpression.contains("#round") || condition.contains("#round")) {
      names.put("#round", RunItem.ROUND);
    }
    names.put("#pk", PK);
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(RunItem.key(runId))
            .updateExpression(updateExpression)
            .conditionExpression("attribute_exists(#pk) AND (" + condition + ")")
            .expressionAttributeNames(names)
            .expressionAttributeValues(allValues)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      dynamoDb.updateItem(request);
      return true;
    } catch (ConditionalCheckFailedException e) {
      return e.hasItem() && !e.item().isEmpty() && ours.test(e.item());
    }
  }
}
