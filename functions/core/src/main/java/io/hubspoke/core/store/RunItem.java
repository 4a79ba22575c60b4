package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.millis;
import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.api.RetryPolicy;
import io.hubspoke.contract.api.RunControls;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A run item: its key, its attributes, its place in the two run indexes, and its mapping to and
 * from {@link RunRecord}. {@link RunStore}'s expressions name the same attributes.
 */
final class RunItem {
  static final String SK = "RUN";

  /** The one partition of the runs index: every run. */
  static final String RUNS_PARTITION = "RUNS";

  /** The one partition of the open-runs index: it holds only the runs not yet finished. */
  static final String OPEN_PARTITION = "OPEN";

  static final String RUN_ID = "runId";
  static final String INCARNATION = "incarnation";
  static final String STATUS = "status";
  static final String WORKER = "worker";
  static final String WORKER_CONFIG = "workerConfig";
  static final String MAX_ATTEMPTS = "maxAttempts";
  static final String TASK_TIMEOUT_SECONDS = "taskTimeoutSeconds";
  static final String TOTAL = "total";
  static final String SHARD_COUNT = "shardCount";
  static final String CHUNK_SIZE = "chunkSize";
  static final String CREATED_AT = "createdAt";
  static final String REQUEST_HASH = "requestHash";
  static final String IDEMPOTENCY_KEY = "idempotencyKey";
  static final String DISPATCHED_CHUNKS = "dispatchedChunks";
  static final String DISPATCH_PROGRESS_AT = "dispatchProgressAt";
  static final String DISPATCHED_AT = "dispatchedAt";
  static final String DISPATCHED_BY = "dispatchedBy";
  static final String DRAINED_SHARDS = "drainedShards";
  static final String DRAINED_AT = "drainedAt";
  static final String DRAINED_BY = "drainedBy";
  static final String SUMMARIZER = "summarizer";
  static final String SUMMARY = "summary";
  static final String COMPLETED_AT = "completedAt";
  static final String COMPLETED_EVENT_AT = "completedEventAt";
  static final String CANCEL_REQUESTED_AT = "cancelRequestedAt";

  /** The redrive round (absent: 0); {@link ShardCounterItem#ROUND} follows it shard by shard. */
  static final String ROUND = "round";

  /** Number set: the shards whose tasks the current round's redrive revives. */
  static final String REDRIVE_SHARDS = "redriveShards";

  /** List of maps: one per redrive, oldest first. */
  static final String REDRIVES = "redrives";

  /**
   * Why the run was stopped without a user's cancel (its failures passed its tolerance): it then
   * ends FAILED with this reason.
   */
  static final String STOP_REASON = "stopReason";

  /**
   * Random per cancel call, written with the cancel: a call whose write was applied and whose
   * response was lost recognises its own cancel when the SDK's retry fails the condition.
   */
  static final String CANCEL_TOKEN = "cancelToken";

  /** The run's retry policy, as JSON; absent for the default. */
  static final String RETRY = "retry";

  /** The run's failure tolerance and concurrency cap, as JSON; absent for none. */
  static final String CONTROLS = "controls";

  /** How the run's tasks reach their workers, if not by the queue. */
  static final String DISPATCH = "dispatch";

  /**
   * Map, only for a run with a failure tolerance: each shard's failed count as its counter last
   * said (shard number → count), so the spoke that counts a failure learns the run's total from one
   * write.
   */
  static final String FAILURES_BY_SHARD = "failuresByShard";

  // A discovered run's discovery: where its items come from and how far it got.
  static final String SOURCE = "source";

  /** List of numbers: the first task index of each chunk, in chunk order. */
  static final String CHUNK_STARTS = "chunkStarts";

  static final String CURSOR = "cursor";
  static final String PAGES = "pages";
  static final String DISCOVERY_OWNER = "discoveryOwner";
  static final String DISCOVERY_LEASE_UNTIL = "discoveryLeaseUntil";
  static final String DISCOVERY_ATTEMPT = "discoveryAttempt";
  static final String DISCOVERY_PROGRESS_AT = "discoveryProgressAt";
  static final String DISCOVERY_ENDED_AT = "discoveryEndedAt";
  static final String DISCOVERY_ERROR = "discoveryError";
  static final String DISCOVERY_LAST_ERROR = "discoveryLastError";

  /** A runs index sort key: {@code <13-digit epoch ms>#<runId>}, as {@link #indexSortKey} makes. */
  static final Pattern INDEX_SORT_KEY = Pattern.compile("[0-9]{13}#(.+)");

  private RunItem() {}

  static Map<String, AttributeValue> key(String runId) {
    return Items.key(Items.runPk(runId), SK);
  }

  /** The runs index sorts by creation time, then run id: {@code <13-digit epoch ms>#<runId>}. */
  static String indexSortKey(Instant createdAt, String runId) {
    return String.format("%013d", createdAt.toEpochMilli()) + "#" + runId;
  }

  /** A new DISPATCHING run (DISCOVERING if it discovers its items), in both run indexes. */
  static Map<String, AttributeValue> newItem(
      RunSpec spec, String requestHash, Optional<String> idempotencyKey) {
    Map<String, AttributeValue> item = new HashMap<>(key(spec.runId()));
    item.put(RUN_ID, s(spec.runId()));
    item.put(INCARNATION, s(spec.incarnation()));
    item.put(STATUS, s((spec.discovered() ? RunStatus.DISCOVERING : RunStatus.DISPATCHING).name()));
    if (spec.discovered()) {
      item.put(SOURCE, s(Json.write(spec.discovery().source().toJson())));
      item.put(CHUNK_STARTS, AttributeValue.fromL(List.of()));
      item.put(PAGES, n(0));
      item.put(DISCOVERY_ATTEMPT, n(0));
      item.put(DISCOVERY_PROGRESS_AT, millis(spec.createdAt()));
    }
    item.put(WORKER, s(spec.worker()));
    item.put(WORKER_CONFIG, s(Json.write(spec.workerConfig())));
    item.put(MAX_ATTEMPTS, n(spec.maxAttempts()));
    item.put(TASK_TIMEOUT_SECONDS, n(spec.taskTimeoutSeconds()));
    item.put(TOTAL, n(spec.total()));
    item.put(SHARD_COUNT, n(spec.shardCount()));
    item.put(CHUNK_SIZE, n(spec.chunkSize()));
    if (!spec.retry().equals(RetryPolicy.DEFAULT)) {
      item.put(RETRY, s(Json.write(spec.retry().toJson())));
    }
    if (!spec.controls().equals(RunControls.NONE)) {
      item.put(CONTROLS, s(Json.write(spec.controls().toJson())));
    }
    if (spec.dispatch() != Dispatch.QUEUE) {
      item.put(DISPATCH, s(spec.dispatch().wireName()));
    }
    if (spec.controls().tolerates()) {
      item.put(FAILURES_BY_SHARD, AttributeValue.fromM(Map.of()));
    }
    item.put(CREATED_AT, millis(spec.createdAt()));
    item.put(DISPATCH_PROGRESS_AT, millis(spec.createdAt()));
    item.put(REQUEST_HASH, s(requestHash));
    idempotencyKey.ifPresent(k -> item.put(IDEMPOTENCY_KEY, s(k)));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    item.put(TableSchema.RUNS_INDEX_PARTITION_KEY, s(RUNS_PARTITION));
    item.put(TableSchema.RUNS_INDEX_SORT_KEY, s(indexSortKey(spec.createdAt(), spec.runId())));
    item.put(TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY, s(OPEN_PARTITION));
    return item;
  }

  /** A run whose TTL has passed: gone for every reader, though TTL may not have deleted it yet. */
  static boolean expiredAt(Map<String, AttributeValue> item, Instant now) {
    Long expiresAt = Items.number(item, TableSchema.TTL_ATTRIBUTE);
    return expiresAt != null && expiresAt <= now.getEpochSecond();
  }

  /** Where a run stands in the runs index, as a page token carries it. */
  static PageTokens.RunPosition position(Map<String, AttributeValue> item) {
    return new PageTokens.RunPosition(
        Items.string(item, Items.PK), Items.string(item, TableSchema.RUNS_INDEX_SORT_KEY));
  }

  /** The runs index key of the run at {@code position}: where a listing resumes. */
  static Map<String, AttributeValue> indexKey(PageTokens.RunPosition position) {
    return Map.of(
        Items.PK,
        s(position.runPk()),
        Items.SK,
        s(SK),
        TableSchema.RUNS_INDEX_PARTITION_KEY,
        s(RUNS_PARTITION),
        TableSchema.RUNS_INDEX_SORT_KEY,
        s(position.sortKey()));
  }

  static RunRecord toRecord(Map<String, AttributeValue> item) {
    String source = Items.string(item, SOURCE);
    RunSpec.Discovery discovery =
        source == null
            ? null
            : new RunSpec.Discovery(
                RunSource.fromJson(Json.parseTrusted(source)),
                chunkStarts(item),
                item.containsKey(DISCOVERY_ENDED_AT));
    RunSpec spec =
        RunSpec.builder()
            .runId(Items.string(item, RUN_ID))
            .incarnation(Items.string(item, INCARNATION))
            .worker(Items.string(item, WORKER))
            .workerConfig(Json.parseTrusted(Items.string(item, WORKER_CONFIG)))
            .maxAttempts(Items.integer(item, MAX_ATTEMPTS, 1))
            .taskTimeoutSeconds(Items.integer(item, TASK_TIMEOUT_SECONDS, 60))
            .total(Items.integer(item, TOTAL, 0))
            .shardCount(Items.integer(item, SHARD_COUNT, 1))
            .chunkSize(Items.integer(item, CHUNK_SIZE, 1))
            .createdAt(Items.instant(item, CREATED_AT))
            .expiresAt(Instant.ofEpochSecond(Items.number(item, TableSchema.TTL_ATTRIBUTE)))
            .discovery(discovery)
            .retry(
                item.containsKey(RETRY)
                    ? RetryPolicy.fromJson(Json.parseTrusted(Items.string(item, RETRY)))
                    : RetryPolicy.DEFAULT)
            .controls(
                item.containsKey(CONTROLS)
                    ? RunControls.fromJson(Json.parseTrusted(Items.string(item, CONTROLS)))
                    : RunControls.NONE)
            .dispatch(
                item.containsKey(DISPATCH)
                    ? Dispatch.fromWire(Items.string(item, DISPATCH)).orElseThrow()
                    : Dispatch.QUEUE)
            .build();
    return new RunRecord(
        spec,
        RunStatus.valueOf(Items.string(item, STATUS)),
        Items.string(item, REQUEST_HASH),
        Optional.ofNullable(Items.string(item, IDEMPOTENCY_KEY)),
        Items.numberSet(item, DISPATCHED_CHUNKS),
        Items.instant(item, DISPATCH_PROGRESS_AT),
        Items.instant(item, DISPATCHED_AT),
        Items.instant(item, DRAINED_AT),
        Items.string(item, SUMMARY),
        Items.instant(item, COMPLETED_AT),
        Items.instant(item, COMPLETED_EVENT_AT),
        Items.numberSet(item, DRAINED_SHARDS),
        discovery == null
            ? null
            : new RunRecord.DiscoveryProgress(
                Items.string(item, CURSOR),
                Items.integer(item, PAGES, 0),
                Items.integer(item, DISCOVERY_ATTEMPT, 0),
                Items.string(item, DISCOVERY_OWNER),
                Items.instant(item, DISCOVERY_LEASE_UNTIL),
                Items.instant(item, DISCOVERY_PROGRESS_AT),
                Items.instant(item, DISCOVERY_ENDED_AT),
                Items.string(item, DISCOVERY_ERROR),
                Items.string(item, DISCOVERY_LAST_ERROR)),
        Items.instant(item, CANCEL_REQUESTED_AT),
        Items.integer(item, ROUND, 0),
        Items.numberSet(item, REDRIVE_SHARDS),
        redrives(item),
        Items.string(item, STOP_REASON),
        failuresRecorded(item));
  }

  private static int failuresRecorded(Map<String, AttributeValue> item) {
    AttributeValue byShard = item.get(FAILURES_BY_SHARD);
    if (byShard == null || !byShard.hasM()) {
      return 0;
    }
    return byShard.m().values().stream().mapToInt(v -> Integer.parseInt(v.n())).sum();
  }

  /** One redrive as the run item's list keeps it. */
  /**
   * The most redrives a run item lists (the newest): a run may be redriven any number of times, and
   * its {@code round} counts them all, but the item must stay within DynamoDB's 400 KB.
   */
  static final int MAX_REDRIVES_KEPT = 100;

  /** The redrives a run lists after {@code next}: the newest {@link #MAX_REDRIVES_KEPT}. */
  static List<RunRecord.Redrive> redrivesKept(
      List<RunRecord.Redrive> listed, RunRecord.Redrive next) {
    List<RunRecord.Redrive> kept = new java.util.ArrayList<>(listed);
    kept.add(next);
    return List.copyOf(kept.subList(Math.max(0, kept.size() - MAX_REDRIVES_KEPT), kept.size()));
  }

  static AttributeValue redriveEntry(RunRecord.Redrive redrive) {
    return AttributeValue.fromM(
        Map.of(
            "round", n(redrive.round()),
            "statuses", AttributeValue.fromSs(List.copyOf(redrive.statuses())),
            "tasks", n(redrive.tasks()),
            "shards", n(redrive.shards()),
            "requestedAt", millis(redrive.requestedAt())));
  }

  private static List<RunRecord.Redrive> redrives(Map<String, AttributeValue> item) {
    AttributeValue list = item.get(REDRIVES);
    if (list == null || !list.hasL()) {
      return List.of();
    }
    return list.l().stream()
        .map(AttributeValue::m)
        .map(
            entry ->
                new RunRecord.Redrive(
                    Items.integer(entry, "round", 0),
                    java.util.Set.copyOf(entry.get("statuses").ss()),
                    Items.integer(entry, "tasks", 0),
                    Items.integer(entry, "shards", 0),
                    Items.instant(entry, "requestedAt")))
        .toList();
  }

  private static List<Integer> chunkStarts(Map<String, AttributeValue> item) {
    AttributeValue starts = item.get(CHUNK_STARTS);
    if (starts == null || !starts.hasL()) {
      return List.of();
    }
    return starts.l().stream().map(v -> Integer.parseInt(v.n())).toList();
  }
}
