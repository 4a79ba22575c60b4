package io.hubspoke.core.store;

import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.aws.CallDeadline;
import io.hubspoke.core.aws.PartialFailureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchWriteItem and BatchGetItem on one table, their partial failures (UnprocessedItems,
 * UnprocessedKeys) sent again with backoff until done or out of attempts.
 */
final class Batches {
  static final int MAX_WRITE = 25;
  static final int MAX_GET = 100;

  private Batches() {}

  /**
   * Writes up to 25 items. Each call carries the thread's {@link CallDeadline} to the SDK, which
   * aborts it there: a holder's write can never land after its lease.
   *
   * @param what named in the error, e.g. "task writes"
   * @throws PartialFailureException if items stay unprocessed after every attempt
   */
  static void write(
      DynamoDbClient dynamoDb,
      String table,
      List<WriteRequest> writes,
      Backoff backoff,
      String what) {
    Map<String, List<WriteRequest>> pending = Map.of(table, writes);
    for (int attempt = 0; ; attempt++) {
      Map<String, List<WriteRequest>> request = pending;
      BatchWriteItemResponse response =
          dynamoDb.batchWriteItem(
              b -> b.requestItems(request).overrideConfiguration(CallDeadline::abortAtDeadline));
      if (!response.hasUnprocessedItems() || response.unprocessedItems().isEmpty()) {
        return;
      }
      pending = response.unprocessedItems();
      if (attempt + 1 >= backoff.maxAttempts()) {
        throw new PartialFailureException(
            pending.getOrDefault(table, List.of()).size() + " " + what + " stayed unprocessed");
      }
      backoff.pause(attempt + 1);
    }
  }

  /**
   * Reads up to 100 keys; the items found, in no particular order (absent keys are left out).
   *
   * @param what named in the error, e.g. "counter reads for run r-…"
   * @throws PartialFailureException if keys stay unprocessed after every attempt
   */
  static List<Map<String, AttributeValue>> get(
      DynamoDbClient dynamoDb, String table, KeysAndAttributes keys, Backoff backoff, String what) {
    List<Map<String, AttributeValue>> found = new ArrayList<>();
    Map<String, KeysAndAttributes> request = Map.of(table, keys);
    for (int attempt = 0; ; attempt++) {
      Map<String, KeysAndAttributes> current = request;
      BatchGetItemResponse response = dynamoDb.batchGetItem(b -> b.requestItems(current));
      found.addAll(response.responses().getOrDefault(table, List.of()));
      if (!response.hasUnprocessedKeys() || response.unprocessedKeys().isEmpty()) {
        return found;
      }
      if (attempt + 1 >= backoff.maxAttempts()) {
        throw new PartialFailureException(what + " stayed unprocessed");
      }
      request = response.unprocessedKeys();
      backoff.pause(attempt + 1);
    }
  }
}
