package io.hubspoke.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.TableSchema;
import io.hubspoke.testkit.TestClients;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

class DynamoDbLocalEngineTest {
  private static final String TABLE = "hubspoke-test";
  private static DynamoDbLocalEngine engine;
  private static DynamoDbClient dynamo;
  private static TableDescription created;

  @BeforeAll
  static void start() {
    engine = DynamoDbLocalEngine.start();
    dynamo = TestClients.dynamo(engine.endpoint());
    created = LocalTables.create(dynamo, TABLE);
  }

  @AfterAll
  static void stop() {
    if (dynamo != null) {
      dynamo.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void listensOnLoopbackOnAnEphemeralPort() {
    assertEquals("127.0.0.1", engine.endpoint().getHost());
    assertTrue(engine.endpoint().getPort() > 0);
    assertTrue(engine.endpoint().getPort() != 8000, "placeholder port must have been replaced");
  }

  @Test
  void tableHasTheKeySchemaIndexAndTtlOfTheStack() {
    TableDescription table = dynamo.describeTable(b -> b.tableName(TABLE)).table();
    assertEquals(TableSchema.PARTITION_KEY, table.keySchema().get(0).attributeName());
    assertEquals(TableSchema.SORT_KEY, table.keySchema().get(1).attributeName());
    assertEquals(
        "PAY_PER_REQUEST", table.billingModeSummary().billingModeAsString(), "billing mode");
    assertEquals(3, table.globalSecondaryIndexes().size());
    var gsi = index(table, TableSchema.RUNS_INDEX);
    assertEquals(TableSchema.RUNS_INDEX_PARTITION_KEY, gsi.keySchema().get(0).attributeName());
    assertEquals(TableSchema.RUNS_INDEX_SORT_KEY, gsi.keySchema().get(1).attributeName());
    assertEquals(ProjectionType.ALL, gsi.projection().projectionType());
    assertEquals(IndexStatus.ACTIVE, gsi.indexStatus());
    var open = index(table, TableSchema.OPEN_RUNS_INDEX);
    assertEquals(
        TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY, open.keySchema().get(0).attributeName());
    assertEquals(TableSchema.OPEN_RUNS_INDEX_SORT_KEY, open.keySchema().get(1).attributeName());
    assertEquals(ProjectionType.KEYS_ONLY, open.projection().projectionType());
    assertEquals(IndexStatus.ACTIVE, open.indexStatus());
    var claimable = index(table, TableSchema.CLAIMABLE_INDEX);
    assertEquals(
        TableSchema.CLAIMABLE_INDEX_PARTITION_KEY, claimable.keySchema().get(0).attributeName());
    assertEquals(
        TableSchema.CLAIMABLE_INDEX_SORT_KEY, claimable.keySchema().get(1).attributeName());
    assertEquals(ProjectionType.KEYS_ONLY, claimable.projection().projectionType());
    assertEquals("ACTIVE", created.tableStatusAsString());
    var ttl = dynamo.describeTimeToLive(b -> b.tableName(TABLE)).timeToLiveDescription();
    assertEquals(TimeToLiveStatus.ENABLED, ttl.timeToLiveStatus());
    assertEquals(TableSchema.TTL_ATTRIBUTE, ttl.attributeName());
  }

  private static software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription
      index(TableDescription table, String name) {
    return table.globalSecondaryIndexes().stream()
        .filter(g -> g.indexName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no index " + name));
  }

  @Test
  void conditionalPutAndUpdateReturnTheOldItemOnFailure() {
    Map<String, AttributeValue> item =
        Map.of(
            "pk", s("RUN#cond"), "sk", s("TASK#1"), "state", s("PENDING"), "owner", s("worker-a"));
    dynamo.putItem(
        b -> b.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(pk)"));

    ConditionalCheckFailedException put =
        assertThrows(
            ConditionalCheckFailedException.class,
            () ->
                dynamo.putItem(
                    b ->
                        b.tableName(TABLE)
                            .item(item)
                            .conditionExpression("attribute_not_exists(pk)")
                            .returnValuesOnConditionCheckFailure(
                                ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals("worker-a", put.item().get("owner").s());

    Map<String, AttributeValue> key = Map.of("pk", s("RUN#cond"), "sk", s("TASK#1"));
    dynamo.updateItem(
        b ->
            b.tableName(TABLE)
                .key(key)
                .updateExpression("SET #s = :running")
                .conditionExpression("#s = :pending")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(
                    Map.of(":running", s("RUNNING"), ":pending", s("PENDING"))));
    ConditionalCheckFailedException update =
        assertThrows(
            ConditionalCheckFailedException.class,
            () ->
                dynamo.updateItem(
                    b ->
                        b.tableName(TABLE)
                            .key(key)
                            .updateExpression("SET #s = :running")
                            .conditionExpression("#s = :pending")
                            .expressionAttributeNames(Map.of("#s", "state"))
                            .expressionAttributeValues(
                                Map.of(":running", s("RUNNING"), ":pending", s("PENDING")))
                            .returnValuesOnConditionCheckFailure(
                                ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals("RUNNING", update.item().get("state").s());
  }

  @Test
  void runsIndexIsQueryable() {
    dynamo.putItem(
        b ->
            b.tableName(TABLE)
                .item(
                    Map.of(
                        "pk",
                        s("RUN#gsi"),
                        "sk",
                        s("RUN"),
                        TableSchema.RUNS_INDEX_PARTITION_KEY,
                        s("RUNS"),
                        TableSchema.RUNS_INDEX_SORT_KEY,
                        s("2026-01-01T00:00:00Z#gsi"))));
    var page =
        dynamo.query(
            b ->
                b.tableName(TABLE)
                    .indexName(TableSchema.RUNS_INDEX)
                    .keyConditionExpression("#p = :runs")
                    .expressionAttributeNames(Map.of("#p", TableSchema.RUNS_INDEX_PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":runs", s("RUNS"))));
    assertTrue(page.items().stream().anyMatch(i -> i.get("pk").s().equals("RUN#gsi")));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }
}
