package io.hubspoke.core.store;

import static io.hubspoke.core.store.Items.n;
import static io.hubspoke.core.store.Items.s;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A chunk item of a run's durable request: its key, its attributes, and its mapping to and from
 * what {@link ChunkStore} answers ({@link ChunkStore.Claim.Claimed}, {@link
 * ChunkStore.ChunkState}). {@link ChunkStore}'s expressions name the same attributes.
 */
final class ChunkItem {
  static final String SK = "D";

  static final String RUN_ID = "runId";
  static final String CHUNK = "chunk";
  static final String STATUS = "status";
  static final String ATTEMPT = "attempt";
  static final String OWNER = "owner";
  static final String LEASE_UNTIL = "leaseUntil";

  /** A discovered run's chunk: the index of its first task (the run record lists them too). */
  static final String FIRST = "first";

  /** The chunk's items, as one JSON array. */
  static final String ITEMS = "items";

  private ChunkItem() {}

  static Map<String, AttributeValue> key(RunSpec spec, int chunk) {
    return Items.key(Items.chunkPk(spec, chunk), SK);
  }

  /** A new PENDING chunk holding its slice of the request's items. */
  static Map<String, AttributeValue> newItem(RunSpec spec, int chunk, List<String> itemsJson) {
    int from = spec.chunkStart(chunk);
    Map<String, AttributeValue> item = new HashMap<>(key(spec, chunk));
    item.put(RUN_ID, s(spec.runId()));
    item.put(CHUNK, n(chunk));
    item.put(STATUS, s(ChunkStore.Status.PENDING.name()));
    item.put(ATTEMPT, n(0));
    item.put(
        ITEMS,
        s("[" + String.join(",", itemsJson.subList(from, from + spec.chunkLength(chunk))) + "]"));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    return item;
  }

  /** A new PENDING chunk of a discovered run: {@code itemsJson} is the whole chunk. */
  static Map<String, AttributeValue> newDiscoveredItem(
      RunSpec spec, int chunk, int first, List<String> itemsJson) {
    Map<String, AttributeValue> item = new HashMap<>(key(spec, chunk));
    item.put(RUN_ID, s(spec.runId()));
    item.put(CHUNK, n(chunk));
    item.put(FIRST, n(first));
    item.put(STATUS, s(ChunkStore.Status.PENDING.name()));
    item.put(ATTEMPT, n(0));
    item.put(ITEMS, s("[" + String.join(",", itemsJson) + "]"));
    item.put(TableSchema.TTL_ATTRIBUTE, Items.expiry(spec));
    return item;
  }

  static ChunkStore.Claim.Claimed toClaimed(Map<String, AttributeValue> item) {
    List<String> items = new ArrayList<>();
    Json.parseTrusted(Items.string(item, ITEMS)).forEach(node -> items.add(Json.write(node)));
    return new ChunkStore.Claim.Claimed(Items.integer(item, ATTEMPT, 1), items);
  }

  static ChunkStore.ChunkState toState(Map<String, AttributeValue> item) {
    return new ChunkStore.ChunkState(
        Items.integer(item, CHUNK, -1),
        status(item),
        Items.integer(item, ATTEMPT, 0),
        leaseUntil(item));
  }

  static ChunkStore.Status status(Map<String, AttributeValue> item) {
    return ChunkStore.Status.valueOf(Items.string(item, STATUS));
  }

  static String owner(Map<String, AttributeValue> item) {
    return Items.string(item, OWNER);
  }

  static Instant leaseUntil(Map<String, AttributeValue> item) {
    return Items.instant(item, LEASE_UNTIL);
  }
}
