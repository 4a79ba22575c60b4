package io.hubspoke.chaos;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.TableSchema;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Every write DynamoDB applied to a task item, read from the table's own change stream (DynamoDB
 * Streams, which DynamoDB Local implements) with the item as it was before and after. It holds what
 * the store did, not what a caller was told: a write whose response was lost, or a write that broke
 * the claim protocol, is in it like any other, and nothing applied is missing from it.
 *
 * <p>Attach it before the runs it is to see: the stream starts when it is switched on.
 */
public final class ChangeLog implements AutoCloseable {
  /**
   * The protocol's fields of a task item, as one write left it (or found it).
   *
   * @param round the redrive round of the task's attempts ({@code round}, absent: 0)
   * @param attemptEndedAt when the attempt named by {@code owner} and {@code startedAt} ended, from
   *     its entry in the task's {@code history} (every owner write that ends an attempt writes its
   *     {@code endedAt} there); null while it runs, or when the history has no such entry. A
   *     release back to PENDING records no other end time.
   */
  public record Image(
      String status,
      String owner,
      long version,
      int attempt,
      Long leaseUntil,
      Long startedAt,
      Long finishedAt,
      String errorType,
      String result,
      int round,
      Long attemptEndedAt) {

    /** An image of round 0 without a history. */
    public Image(
        String status,
        String owner,
        long version,
        int attempt,
        Long leaseUntil,
        Long startedAt,
        Long finishedAt,
        String errorType,
        String result) {
      this(
          status,
          owner,
          version,
          attempt,
          leaseUntil,
          startedAt,
          finishedAt,
          errorType,
          result,
          0,
          null);
    }

    /**
     * SUCCEEDED, FAILED or CANCELLED: only a redrive (REVIVE, into the next round) writes it again.
     */
    public boolean terminal() {
      return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    /**
     * Same status, owner, version, round and outcome: a write that changed nothing the protocol
     * owns.
     */
    boolean sameState(Image other) {
      return status.equals(other.status)
          && java.util.Objects.equals(owner, other.owner)
          && version == other.version
          && round == other.round
          && java.util.Objects.equals(result, other.result)
          && java.util.Objects.equals(errorType, other.errorType);
    }

    @Override
    public String toString() {
      return status
          + " at version "
          + version
          + (round == 0 ? "" : ", round " + round)
          + ", attempt "
          + attempt
          + (owner == null ? "" : ", owner " + owner);
    }
  }

  /**
   * One applied write to one task item. {@code before} is null when the write created the item,
   * {@code after} when it deleted it.
   */
  public record Change(
      String itemKey, String runId, int index, BigInteger sequence, Image before, Image after) {}

  private final DynamoDbStreamsClient streams;
  private final String streamArn;

  /** Per shard, the sequence number of the last record read. */
  private final Map<String, String> readUpTo = new HashMap<>();

  private final Set<String> finishedShards = new HashSet<>();
  private final Map<String, List<Change>> byRun = new HashMap<>();

  private ChangeLog(DynamoDbStreamsClient streams, String streamArn) {
    this.streams = streams;
    this.streamArn = streamArn;
  }

  /** Switches the change stream of the runtime's table on and starts reading it. */
  public static ChangeLog attach(LocalRuntime runtime) {
    var dynamoDb = runtime.clients().dynamoDb();
    String arn =
        dynamoDb.describeTable(b -> b.tableName(LocalOptions.TABLE_NAME)).table().latestStreamArn();
    if (arn == null) {
      arn =
          dynamoDb
              .updateTable(
                  b ->
                      b.tableName(LocalOptions.TABLE_NAME)
                          .streamSpecification(
                              StreamSpecification.builder()
                                  .streamEnabled(true)
                                  .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                                  .build()))
              .tableDescription()
              .latestStreamArn();
    }
    HubspokeEnvironment env = runtime.environment();
    DynamoDbStreamsClient streams =
        DynamoDbStreamsClient.builder()
            .endpointOverride(
                URI.create(env.optional(HubspokeEnvironment.ENDPOINT_DYNAMODB).orElseThrow()))
            .region(Region.of(env.optional(HubspokeEnvironment.AWS_REGION).orElse("us-east-1")))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    return new ChangeLog(streams, arn);
  }

  /** The applied writes to the run's task items so far, in the order DynamoDB applied them. */
  public synchronized List<Change> taskChanges(String runId) {
    readNew();
    List<Change> changes = new ArrayList<>(byRun.getOrDefault(runId, List.of()));
    changes.sort(Comparator.comparing(Change::sequence));
    return changes;
  }

  private void readNew() {
    List<Shard> shards = new ArrayList<>();
    String start = null;
    do {
      String from = start;
      DescribeStreamResponse page =
          streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(from));
      shards.addAll(page.streamDescription().shards());
      start = page.streamDescription().lastEvaluatedShardId();
    } while (start != null);
    // A parent shard's records come before its children's.
    shards.sort(
        Comparator.comparing(
            s -> new BigInteger(s.sequenceNumberRange().startingSequenceNumber())));
    for (Shard shard : shards) {
      if (!finishedShards.contains(shard.shardId())) {
        readShard(shard.shardId());
      }
    }
  }

  private void readShard(String shardId) {
    String last = readUpTo.get(shardId);
    String iterator =
        streams
            .getShardIterator(
                b -> {
                  b.streamArn(streamArn).shardId(shardId);
                  if (last == null) {
                    b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                  } else {
                    b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                        .sequenceNumber(last);
                  }
                })
            .shardIterator();
    while (iterator != null) {
      String current = iterator;
      GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(current));
      for (Record record : page.records()) {
        readUpTo.put(shardId, record.dynamodb().sequenceNumber());
        Change change = taskChange(record);
        if (change != null) {
          byRun.computeIfAbsent(change.runId(), r -> new ArrayList<>()).add(change);
        }
      }
      iterator = page.nextShardIterator();
      if (iterator == null) {
        finishedShards.add(shardId); // closed, and read to its end
      } else if (page.records().isEmpty()) {
        return; // caught up with an open shard
      }
    }
  }

  private static Change taskChange(Record record) {
    Map<String, AttributeValue> before = record.dynamodb().oldImage();
    Map<String, AttributeValue> after = record.dynamodb().newImage();
    Map<String, AttributeValue> any = after != null && !after.isEmpty() ? after : before;
    if (any == null
        || !any.containsKey("runId")
        || !any.containsKey("idx")
        || !any.containsKey("status")
        || !any.containsKey("version")) {
      return null; // not a task item: a run, a counter, ...
    }
    Map<String, AttributeValue> keys = record.dynamodb().keys();
    String itemKey =
        text(keys.get(TableSchema.PARTITION_KEY)) + "|" + text(keys.get(TableSchema.SORT_KEY));
    return new Change(
        itemKey,
        any.get("runId").s(),
        Integer.parseInt(any.get("idx").n()),
        new BigInteger(record.dynamodb().sequenceNumber()),
        image(before),
        image(after));
  }

  private static Image image(Map<String, AttributeValue> item) {
    if (item == null || item.isEmpty()) {
      return null;
    }
    return new Image(
        text(item.get("status")),
        text(item.get("owner")),
        number(item.get("version")),
        (int) number(item.get("attempt")),
        optionalNumber(item.get("leaseUntil")),
        optionalNumber(item.get("startedAt")),
        optionalNumber(item.get("finishedAt")),
        text(item.get("errorType")),
        text(item.get("result")),
        (int) number(item.get("round")),
        attemptEndedAt(item));
  }

  /**
   * The {@code endedAt} of the history entry (TaskItem.historyStart, then historyEnd) of the
   * attempt the item names: the latest entry with the item's owner and start.
   */
  private static Long attemptEndedAt(Map<String, AttributeValue> item) {
    AttributeValue history = item.get("history");
    Long startedAt = optionalNumber(item.get("startedAt"));
    String owner = text(item.get("owner"));
    if (history == null || !history.hasL() || startedAt == null || owner == null) {
      return null;
    }
    List<AttributeValue> entries = history.l();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Map<String, AttributeValue> entry = entries.get(i).hasM() ? entries.get(i).m() : Map.of();
      if (owner.equals(text(entry.get("owner")))
          && startedAt.equals(optionalNumber(entry.get("startedAt")))) {
        return optionalNumber(entry.get("endedAt"));
      }
    }
    return null;
  }

  private static String text(AttributeValue value) {
    return value == null ? null : value.s() != null ? value.s() : value.n();
  }

  private static long number(AttributeValue value) {
    Long n = optionalNumber(value);
    return n == null ? 0 : n;
  }

  private static Long optionalNumber(AttributeValue value) {
    return value == null || value.n() == null ? null : Long.parseLong(value.n());
  }

  @Override
  public void close() {
    streams.close();
  }
}
