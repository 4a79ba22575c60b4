package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.PK;
import static io.hubspoke.core.store.Items.millis;
import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;

import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The durable request: a run's items, cut into chunks of {@link RunSpec#chunkSize()} items, one
 * item per chunk under its own partition key. The hub writes them all before it creates the run
 * record, so a run that exists can always be dispatched from the table. A chunk is dispatched under
 * a lease, with the same protocol as a task: PENDING → WRITING (claim, with owner and lease) → DONE
 * (conditional on the owner); a WRITING chunk whose lease ended may be claimed again.
 */
public final class ChunkStore {
  /** Chunk payloads stay this small: every write to a chunk costs one write unit per KB. */
  public static final int MAX_CHUNK_BYTES = 64 * 1024;

  /** Items per chunk at most: two full BatchWriteItem calls, five full SendMessageBatch calls. */
  public static final int MAX_CHUNK_ITEMS = 2 * TaskStore.MAX_BATCH_WRITE;

  public enum Status {
    PENDING,
    WRITING,
    DONE,
    /** Its run failed to dispatch: it is never claimed again. */
    CANCELLED
  }

  /** The dispatch state of one chunk, as the sweep sees it. */
  public record ChunkState(int chunk, Status status, int attempt, Instant leaseUntil) {}

  /** What a claim found. */
  public sealed interface Claim {
    /**
     * @param attempt 1 for the first claim: no one can have written the chunk's tasks before
     */
    record Claimed(int attempt, List<String> itemsJson) implements Claim {}

    record Done() implements Claim {}

    record Leased(Instant leaseUntil) implements Claim {}

    record Missing() implements Claim {}
  }

  private final DynamoDbClient dynamoDb;
  private final String table;
  private final Clock clock;
  private final Backoff backoff;

  public ChunkStore(DynamoDbClient dynamoDb, String table, Clock clock, Backoff backoff) {
    this.dynamoDb = dynamoDb;
    this.table = table;
    this.clock = clock;
    this.backoff = backoff;
  }

  /**
   * Items per chunk for a request: {@link #MAX_CHUNK_ITEMS}, fewer when the largest item would make
   * a chunk exceed {@link #MAX_CHUNK_BYTES}.
   */
  public static int chunkSize(List<String> itemsJson) {
    int largest = 1;
    for (String item : itemsJson) {
      largest =
          Math.max(largest, item.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
    }
    return Math.max(1, Math.min(MAX_CHUNK_ITEMS, MAX_CHUNK_BYTES / largest));
  }

  /** Writes every chunk of the request (BatchWriteItem, UnprocessedItems retried). */
  public void putAll(RunSpec spec, List<String> itemsJson) {
    List<WriteRequest> writes = new ArrayList<>();
    for (int chunk = 0; chunk < spec.chunkCount(); chunk++) {
      Map<String, AttributeValue> item = ChunkItem.newItem(spec, chunk, itemsJson);
      writes.add(
          WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
      if (writes.size() == TaskStore.MAX_BATCH_WRITE) {
        Batches.write(dynamoDb, table, writes, backoff, "chunk writes");
        writes = new ArrayList<>();
      }
    }
    if (!writes.isEmpty()) {
      Batches.write(dynamoDb, table, writes, backoff, "chunk writes");
    }
  }

  /**
   * Writes one discovered page as chunks numbered from {@code firstChunk}, its first item being
   * task {@code firstTask}; returns each chunk's first task index. Unconditional: until the page is
   * checkpointed no one dispatches these chunks, and a page asked for again is the same page, so a
   * rewrite after a crash writes the same records.
   */
  public List<Integer> putPage(
      RunSpec spec, int firstChunk, int firstTask, List<String> itemsJson) {
    int size = chunkSize(itemsJson);
    List<Integer> starts = new ArrayList<>();
    List<WriteRequest> writes = new ArrayList<>();
    for (int from = 0, chunk = firstChunk; from < itemsJson.size(); from += size, chunk++) {
      List<String> slice = itemsJson.subList(from, Math.min(itemsJson.size(), from + size));
      starts.add(firstTask + from);
      writes.add(
          WriteRequest.builder()
              .putRequest(
                  PutRequest.builder()
                      .item(ChunkItem.newDiscoveredItem(spec, chunk, firstTask + from, slice))
                      .build())
              .build());
      if (writes.size() == TaskStore.MAX_BATCH_WRITE) {
        Batches.write(dynamoDb, table, writes, backoff, "chunk writes");
        writes = new ArrayList<>();
      }
    }
    if (!writes.isEmpty()) {
      Batches.write(dynamoDb, table, writes, backoff, "chunk writes");
    }
    return starts;
  }

  /**
   * Claims a chunk for dispatch until {@code leaseUntil}: PENDING, or WRITING whose lease ended.
   * Returns its items with the claim (one request).
   *
   * @param owner unique per claim call, so a retried call recognises its own applied write
   */
  public Claim claim(RunSpec spec, int chunk, String owner, Instant leaseUntil) {
    Instant now = clock.instant();
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(ChunkItem.key(spec, chunk))
            .updateExpression(
                "SET #st = :writing, #ow = :owner, attempt = attempt + :one, leaseUntil = :lease")
            .conditionExpression(
                "attribute_exists(#pk) AND (#st = :pending OR (#st = :writing AND leaseUntil <="
                    + " :now))")
            .expressionAttributeNames(
                Map.of("#st", ChunkItem.STATUS, "#ow", ChunkItem.OWNER, "#pk", PK))
            .expressionAttributeValues(
                Map.of(
                    ":writing", s(Status.WRITING.name()),
                    ":pending", s(Status.PENDING.name()),
                    ":owner", s(owner),
                    ":one", n(1),
                    ":lease", millis(leaseUntil),
                    ":now", millis(now)))
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      return ChunkItem.toClaimed(dynamoDb.updateItem(request).attributes());
    } catch (ConditionalCheckFailedException e) {
      if (!e.hasItem() || e.item().isEmpty()) {
        return new Claim.Missing();
      }
      Map<String, AttributeValue> current = e.item();
      Status status = ChunkItem.status(current);
      if (status == Status.WRITING && owner.equals(ChunkItem.owner(current))) {
        return ChunkItem.toClaimed(current); // our claim was applied and its response lost
      }
      if (status == Status.DONE || status == Status.CANCELLED) {
        return new Claim.Done();
      }
      return new Claim.Leased(ChunkItem.leaseUntil(current));
    }
  }

  /** WRITING → DONE, if {@code owner} still holds the chunk. The items stay for a redrive. */
  public boolean finish(RunSpec spec, int chunk, String owner) {
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(ChunkItem.key(spec, chunk))
                  .updateExpression("SET #st = :done REMOVE leaseUntil")
                  .conditionExpression("#st = :writing AND #ow = :owner")
                  .expressionAttributeNames(Map.of("#st", ChunkItem.STATUS, "#ow", ChunkItem.OWNER))
                  .expressionAttributeValues(
                      Map.of(
                          ":done", s(Status.DONE.name()),
                          ":writing", s(Status.WRITING.name()),
                          ":owner", s(owner)))
                  .returnValuesOnConditionCheckFailure(
                      ReturnValuesOnConditionCheckFailure.ALL_OLD));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return e.hasItem()
          && Status.DONE.name().equals(Items.string(e.item(), ChunkItem.STATUS))
          && owner.equals(ChunkItem.owner(e.item()));
    }
  }

  /**
   * PENDING, or WRITING whose lease ended → CANCELLED: the run failed to dispatch, so no more of
   * its tasks are created. A chunk under a live lease finishes.
   *
   * @return true if this call cancelled it
   */
  public boolean cancel(RunSpec spec, int chunk) {
    try {
      dynamoDb.updateItem(
          b ->
              b.tableName(table)
                  .key(ChunkItem.key(spec, chunk))
                  .updateExpression("SET #st = :cancelled")
                  .conditionExpression("#st = :pending OR (#st = :writing AND leaseUntil <= :now)")
                  .expressionAttributeNames(Map.of("#st", ChunkItem.STATUS))
                  .expressionAttributeValues(
                      Map.of(
                          ":cancelled", s(Status.CANCELLED.name()),
                          ":pending", s(Status.PENDING.name()),
                          ":writing", s(Status.WRITING.name()),
                          ":now", millis(clock.instant()))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * The dispatch state of every chunk of a run (BatchGetItem, UnprocessedKeys retried); a chunk
   * whose record is gone is absent from the result.
   */
  public Map<Integer, ChunkState> states(RunSpec spec) {
    Map<Integer, ChunkState> found = new HashMap<>();
    for (int from = 0; from < spec.chunkCount(); from += Batches.MAX_GET) {
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (int chunk = from; chunk < Math.min(spec.chunkCount(), from + Batches.MAX_GET); chunk++) {
        keys.add(ChunkItem.key(spec, chunk));
      }
      KeysAndAttributes request =
          KeysAndAttributes.builder()
              .keys(keys)
              .consistentRead(true)
              .projectionExpression("#c, #st, attempt, leaseUntil")
              .expressionAttributeNames(Map.of("#c", ChunkItem.CHUNK, "#st", ChunkItem.STATUS))
              .build();
      for (Map<String, AttributeValue> item :
          Batches.get(dynamoDb, table, request, backoff, "chunk reads for run " + spec.runId())) {
        ChunkState state = ChunkItem.toState(item);
        found.put(state.chunk(), state);
      }
    }
    return found;
  }
}
