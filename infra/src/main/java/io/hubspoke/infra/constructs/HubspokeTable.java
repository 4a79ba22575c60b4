package io.hubspoke.infra.constructs;

import io.hubspoke.contract.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.constructs.Construct;

/**
 * The single DynamoDB table of runs and tasks: on-demand, point-in-time recovery, TTL on {@link
 * TableSchema#TTL_ATTRIBUTE}, the {@link TableSchema#RUNS_INDEX} index and the sparse {@link
 * TableSchema#OPEN_RUNS_INDEX} index, all named by the core.
 */
public class HubspokeTable extends Construct {
  private final Table table;
  private final List<String> indexNames = new ArrayList<>();

  public HubspokeTable(Construct scope, String id, Props props) {
    super(scope, id);
    this.table =
        Table.Builder.create(this, "Table")
            .partitionKey(attribute(TableSchema.PARTITION_KEY))
            .sortKey(attribute(TableSchema.SORT_KEY))
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .pointInTimeRecoverySpecification(
                PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
            .timeToLiveAttribute(TableSchema.TTL_ATTRIBUTE)
            .removalPolicy(props.getRemovalPolicy())
            .deletionProtection(props.getRemovalPolicy() == RemovalPolicy.RETAIN)
            .build();
    addIndex(
        TableSchema.RUNS_INDEX,
        TableSchema.RUNS_INDEX_PARTITION_KEY,
        TableSchema.RUNS_INDEX_SORT_KEY,
        ProjectionType.ALL);
    // Sparse: only open runs carry its key, so the sweep reads them and nothing else.
    addIndex(
        TableSchema.OPEN_RUNS_INDEX,
        TableSchema.OPEN_RUNS_INDEX_PARTITION_KEY,
        TableSchema.OPEN_RUNS_INDEX_SORT_KEY,
        ProjectionType.KEYS_ONLY);
    // Sparse: only the unfinished tasks of pull runs carry its key, sorted by when a claim may
    // take them.
    table.addGlobalSecondaryIndex(
        GlobalSecondaryIndexProps.builder()
            .indexName(TableSchema.CLAIMABLE_INDEX)
            .partitionKey(attribute(TableSchema.CLAIMABLE_INDEX_PARTITION_KEY))
            .sortKey(
                Attribute.builder()
                    .name(TableSchema.CLAIMABLE_INDEX_SORT_KEY)
                    .type(AttributeType.NUMBER)
                    .build())
            .projectionType(ProjectionType.KEYS_ONLY)
            .build());
    indexNames.add(TableSchema.CLAIMABLE_INDEX);
  }

  /** Adds a global secondary index, recorded so that its throttling is alarmed too. */
  private void addIndex(
      String name, String partitionKey, String sortKey, ProjectionType projection) {
    table.addGlobalSecondaryIndex(
        GlobalSecondaryIndexProps.builder()
            .indexName(name)
            .partitionKey(attribute(partitionKey))
            .sortKey(attribute(sortKey))
            .projectionType(projection)
            .build());
    indexNames.add(name);
  }

  private static Attribute attribute(String name) {
    return Attribute.builder().name(name).type(AttributeType.STRING).build();
  }

  public Table getTable() {
    return table;
  }

  /** The names of the table's global secondary indexes. */
  public List<String> getIndexNames() {
    return List.copyOf(indexNames);
  }

  /** ARN of the {@link TableSchema#RUNS_INDEX} index, for least-privilege grants. */
  public String getRunsIndexArn() {
    return table.getTableArn() + "/index/" + TableSchema.RUNS_INDEX;
  }

  /** ARN of the {@link TableSchema#OPEN_RUNS_INDEX} index (the sweep's), for least privilege. */
  public String getOpenRunsIndexArn() {
    return table.getTableArn() + "/index/" + TableSchema.OPEN_RUNS_INDEX;
  }

  /** ARN of the {@link TableSchema#CLAIMABLE_INDEX} index (pull claims'), for least privilege. */
  public String getClaimableIndexArn() {
    return table.getTableArn() + "/index/" + TableSchema.CLAIMABLE_INDEX;
  }

  /** Settings of {@link HubspokeTable}. */
  public static final class Props {
    private final RemovalPolicy removalPolicy;

    private Props(Builder builder) {
      this.removalPolicy = Objects.requireNonNull(builder.removalPolicy, "removalPolicy");
    }

    public static Builder builder() {
      return new Builder();
    }

    public RemovalPolicy getRemovalPolicy() {
      return removalPolicy;
    }

    public static final class Builder {
      private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;

      /** What CloudFormation does with the table when it leaves the stack (default RETAIN). */
      public Builder removalPolicy(RemovalPolicy removalPolicy) {
        this.removalPolicy = removalPolicy;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
