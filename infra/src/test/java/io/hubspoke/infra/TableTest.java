package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.contract.TableSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

class TableTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void onDemandWithRecoveryTtlKeysAndRunsIndexFromTheCoreSchema() {
    synth.template().resourceCountIs("AWS::DynamoDB::Table", 1);
    synth
        .template()
        .hasResourceProperties(
            "AWS::DynamoDB::Table",
            Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "TimeToLiveSpecification",
                    Map.of("AttributeName", TableSchema.TTL_ATTRIBUTE, "Enabled", true),
                "KeySchema",
                    List.of(
                        Map.of("AttributeName", TableSchema.PARTITION_KEY, "KeyType", "HASH"),
                        Map.of("AttributeName", TableSchema.SORT_KEY, "KeyType", "RANGE")),
                "AttributeDefinitions",
                    Match.arrayWith(
                        List.of(
                            Map.of(
                                "AttributeName", TableSchema.PARTITION_KEY, "AttributeType", "S"),
                            Map.of("AttributeName", TableSchema.SORT_KEY, "AttributeType", "S"),
                            Map.of(
                                "AttributeName",
                                TableSchema.RUNS_INDEX_PARTITION_KEY,
                                "AttributeType",
                                "S"),
                            Map.of(
                                "AttributeName",
                                TableSchema.RUNS_INDEX_SORT_KEY,
                                "AttributeType",
                                "S"),
                            Map.of(
                                "AttributeName",
                                TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY,
                                "AttributeType",
                                "S"))),
                "GlobalSecondaryIndexes",
                    List.of(
                        Map.of(
                            "IndexName", TableSchema.RUNS_INDEX,
                            "KeySchema",
                                List.of(
                                    Map.of(
                                        "AttributeName",
                                        TableSchema.RUNS_INDEX_PARTITION_KEY,
                                        "KeyType",
                                        "HASH"),
                                    Map.of(
                                        "AttributeName",
                                        TableSchema.RUNS_INDEX_SORT_KEY,
                                        "KeyType",
                                        "RANGE")),
                            "Projection", Map.of("ProjectionType", "ALL")),
                        OPEN_RUNS_INDEX,
                        CLAIMABLE_INDEX)));
  }

  /** The sweep's sparse index: only open runs carry its partition key; keys only. */
  private static final Map<String, Object> OPEN_RUNS_INDEX =
      Map.of(
          "IndexName", TableSchema.OPEN_RUNS_INDEX,
          "KeySchema",
              List.of(
                  Map.of(
                      "AttributeName",
                      TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY,
                      "KeyType",
                      "HASH"),
                  Map.of(
                      "AttributeName", TableSchema.OPEN_RUNS_INDEX_SORT_KEY, "KeyType", "RANGE")),
          "Projection", Map.of("ProjectionType", "KEYS_ONLY"));

  /**
   * The pull claims' sparse index: only unfinished tasks of pull runs carry its partition key,
   * sorted by the epoch millis from which a claim may take them (a number); keys only.
   */
  private static final Map<String, Object> CLAIMABLE_INDEX =
      Map.of(
          "IndexName", TableSchema.CLAIMABLE_INDEX,
          "KeySchema",
              List.of(
                  Map.of(
                      "AttributeName",
                      TableSchema.CLAIMABLE_INDEX_PARTITION_KEY,
                      "KeyType",
                      "HASH"),
                  Map.of(
                      "AttributeName", TableSchema.CLAIMABLE_INDEX_SORT_KEY, "KeyType", "RANGE")),
          "Projection", Map.of("ProjectionType", "KEYS_ONLY"));

  @Test
  void theClaimableIndexIsSparseKeysOnlyAndSortedByANumber() {
    synth
        .template()
        .hasResourceProperties(
            "AWS::DynamoDB::Table",
            Map.of(
                "GlobalSecondaryIndexes",
                Match.arrayWith(List.of(CLAIMABLE_INDEX)),
                "AttributeDefinitions",
                Match.arrayWith(
                    List.of(
                        Map.of(
                            "AttributeName",
                            TableSchema.CLAIMABLE_INDEX_PARTITION_KEY,
                            "AttributeType",
                            "S"),
                        Map.of(
                            "AttributeName",
                            TableSchema.CLAIMABLE_INDEX_SORT_KEY,
                            "AttributeType",
                            "N")))));
  }

  @Test
  void theSweepsOpenRunsIndexIsSparseAndKeysOnly() {
    synth
        .template()
        .hasResourceProperties(
            "AWS::DynamoDB::Table",
            Map.of("GlobalSecondaryIndexes", Match.arrayWith(List.of(OPEN_RUNS_INDEX))));
  }

  @Test
  void retainedByDefault() {
    synth
        .template()
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
  void removalPolicyIsConfigurable() {
    Synth.Result custom = Synth.custom();
    String id = custom.logicalId(custom.stack().getTable().getTable());
    Map<String, Object> table = at(custom.json(), "Resources", id);
    assertEquals("Delete", table.get("DeletionPolicy"));
    assertEquals(false, (Object) at(table, "Properties", "DeletionProtectionEnabled"));
  }
}
