package io.hubspoke.engines;

import io.hubspoke.contract.TableSchema;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates the hubspoke table the way the CDK stack does, from the names in {@link TableSchema}, so
 * the local runtime and AWS cannot disagree on keys, the runs index or TTL.
 */
public final class LocalTables {
  private LocalTables() {}

  /**
   * Creates the table (on-demand, string {@code pk}/{@code sk}, GSI {@code runs-by-created} with
   * all attributes projected, sparse GSIs {@code open-runs} and {@code claimable} with keys only),
   * waits until it is ACTIVE and turns TTL on. DynamoDB Local accepts UpdateTimeToLive and reports
   * it enabled, but (like AWS, only more so) never deletes anything at expiry: readers must filter
   * on the expiry attribute.
   */
  public static TableDescription create(DynamoDbClient dynamo, String tableName) {
    dynamo.createTable(
        CreateTableRequest.builder()
            .tableName(tableName)
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .attributeDefinitions(
                stringAttribute(TableSchema.PARTITION_KEY),
                stringAttribute(TableSchema.SORT_KEY),
                stringAttribute(TableSchema.RUNS_INDEX_PARTITION_KEY),
                stringAttribute(TableSchema.RUNS_INDEX_SORT_KEY),
                stringAttribute(TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY),
                stringAttribute(TableSchema.CLAIMABLE_INDEX_PARTITION_KEY),
                AttributeDefinition.builder()
                    .attributeName(TableSchema.CLAIMABLE_INDEX_SORT_KEY)
                    .attributeType(ScalarAttributeType.N)
                    .build())
            .keySchema(
                key(TableSchema.PARTITION_KEY, KeyType.HASH),
                key(TableSchema.SORT_KEY, KeyType.RANGE))
            .globalSecondaryIndexes(
                GlobalSecondaryIndex.builder()
                    .indexName(TableSchema.RUNS_INDEX)
                    .keySchema(
                        key(TableSchema.RUNS_INDEX_PARTITION_KEY, KeyType.HASH),
                        key(TableSchema.RUNS_INDEX_SORT_KEY, KeyType.RANGE))
                    .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                    .build(),
                GlobalSecondaryIndex.builder()
                    .indexName(TableSchema.OPEN_RUNS_INDEX)
                    .keySchema(
                        key(TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY, KeyType.HASH),
                        key(TableSchema.OPEN_RUNS_INDEX_SORT_KEY, KeyType.RANGE))
                    .projection(
                        Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                    .build(),
                GlobalSecondaryIndex.builder()
                    .indexName(TableSchema.CLAIMABLE_INDEX)
                    .keySchema(
                        key(TableSchema.CLAIMABLE_INDEX_PARTITION_KEY, KeyType.HASH),
                        key(TableSchema.CLAIMABLE_INDEX_SORT_KEY, KeyType.RANGE))
                    .projection(
                        Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                    .build())
            .build());
    TableDescription table =
        dynamo
            .waiter()
            .waitUntilTableExists(b -> b.tableName(tableName))
            .matched()
            .response()
            .orElseThrow(() -> new IllegalStateException("table " + tableName + " not created"))
            .table();
    if (table.tableStatus() != TableStatus.ACTIVE) {
      throw new IllegalStateException("table " + tableName + " is " + table.tableStatus());
    }
    dynamo.updateTimeToLive(
        b ->
            b.tableName(tableName)
                .timeToLiveSpecification(
                    t -> t.enabled(true).attributeName(TableSchema.TTL_ATTRIBUTE)));
    return table;
  }

  private static AttributeDefinition stringAttribute(String name) {
    return AttributeDefinition.builder()
        .attributeName(name)
        .attributeType(ScalarAttributeType.S)
        .build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }
}
