package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.contract.TableSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.assertions.Match;

class HubspokeTableTest {
  @Test
  void oneOnDemandTableWithRecoveryTtlAndTheCoresKeysAndIndexes() {
    BareStack bare = new BareStack();
    HubspokeTable table =
        new HubspokeTable(bare.stack, "Store", HubspokeTable.Props.builder().build());

    assertEquals(1, bare.resources("AWS::DynamoDB::Table").size());
    assertEquals(1, ((Map<?, ?>) bare.json().get("Resources")).size(), "nothing but the table");
    Map<String, Object> props = bare.properties(table.getTable());
    assertEquals("PAY_PER_REQUEST", props.get("BillingMode"));
    assertEquals(
        Map.of("PointInTimeRecoveryEnabled", true), props.get("PointInTimeRecoverySpecification"));
    assertEquals(
        Map.of("AttributeName", TableSchema.TTL_ATTRIBUTE, "Enabled", true),
        props.get("TimeToLiveSpecification"));
    assertEquals(
        List.of(
            Map.of("AttributeName", TableSchema.PARTITION_KEY, "KeyType", "HASH"),
            Map.of("AttributeName", TableSchema.SORT_KEY, "KeyType", "RANGE")),
        props.get("KeySchema"));
    List<Map<String, Object>> indexes = at(props, "GlobalSecondaryIndexes");
    assertEquals(
        List.of(TableSchema.RUNS_INDEX, TableSchema.OPEN_RUNS_INDEX, TableSchema.CLAIMABLE_INDEX),
        indexes.stream().map(i -> i.get("IndexName")).toList());
    assertEquals(
        List.of(
            Map.of("AttributeName", TableSchema.RUNS_INDEX_PARTITION_KEY, "KeyType", "HASH"),
            Map.of("AttributeName", TableSchema.RUNS_INDEX_SORT_KEY, "KeyType", "RANGE")),
        indexes.get(0).get("KeySchema"));
    assertEquals(Map.of("ProjectionType", "ALL"), indexes.get(0).get("Projection"));
    // The sweep's index is sparse (only open runs carry its key) and holds keys only.
    assertEquals(
        List.of(
            Map.of("AttributeName", TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY, "KeyType", "HASH"),
            Map.of("AttributeName", TableSchema.OPEN_RUNS_INDEX_SORT_KEY, "KeyType", "RANGE")),
        indexes.get(1).get("KeySchema"));
    assertEquals(Map.of("ProjectionType", "KEYS_ONLY"), indexes.get(1).get("Projection"));
    assertEquals(Map.of("ProjectionType", "KEYS_ONLY"), indexes.get(2).get("Projection"));
    assertEquals(
        List.of(TableSchema.RUNS_INDEX, TableSchema.OPEN_RUNS_INDEX, TableSchema.CLAIMABLE_INDEX),
        table.getIndexNames());
  }

  @Test
  void retainedAndProtectedByDefault() {
    BareStack bare = new BareStack();
    new HubspokeTable(bare.stack, "Store", HubspokeTable.Props.builder().build());
    bare.template()
        .hasResource(
            "AWS::DynamoDB::Table",
            Map.of(
                "DeletionPolicy",
                "Retain",
                "UpdateReplacePolicy",
                "Retain",
                "Properties",
                Match.objectLike(Map.of("DeletionProtectionEnabled", true))));
  }

  @Test
  void destroyedAndUnprotectedWhenAskedTo() {
    BareStack bare = new BareStack();
    new HubspokeTable(
        bare.stack,
        "Store",
        HubspokeTable.Props.builder().removalPolicy(RemovalPolicy.DESTROY).build());
    bare.template()
        .hasResource(
            "AWS::DynamoDB::Table",
            Map.of(
                "DeletionPolicy",
                "Delete",
                "Properties",
                Match.objectLike(Map.of("DeletionProtectionEnabled", false))));
  }

  @Test
  void indexArnsForLeastPrivilegeGrantsNameTheIndexesOfThisTable() {
    BareStack bare = new BareStack();
    HubspokeTable table =
        new HubspokeTable(bare.stack, "Store", HubspokeTable.Props.builder().build());
    Object tableArn = bare.getAtt(table.getTable(), "Arn");
    assertEquals(
        Map.of("Fn::Join", List.of("", List.of(tableArn, "/index/" + TableSchema.RUNS_INDEX))),
        bare.stack.resolve(table.getRunsIndexArn()));
    assertEquals(
        Map.of("Fn::Join", List.of("", List.of(tableArn, "/index/" + TableSchema.OPEN_RUNS_INDEX))),
        bare.stack.resolve(table.getOpenRunsIndexArn()));
  }
}
