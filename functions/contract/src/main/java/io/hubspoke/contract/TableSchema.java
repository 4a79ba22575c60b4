package io.hubspoke.contract;

/**
 * Key schema of the single DynamoDB table. The CDK stack and the local runtime create the table
 * from these names.
 */
public final class TableSchema {
  public static final String PARTITION_KEY = "pk";
  public static final String SORT_KEY = "sk";

  /** Index listing runs newest first: partition {@code RUNS}, sort key creation time + run id. */
  public static final String RUNS_INDEX = "runs-by-created";

  public static final String RUNS_INDEX_PARTITION_KEY = "gsi1pk";
  public static final String RUNS_INDEX_SORT_KEY = "gsi1sk";

  /**
   * Sparse index of the open runs, for the sweep: a run carries {@link
   * #OPEN_RUNS_INDEX_PARTITION_KEY} from its creation until its {@code RunCompleted} is published
   * (a dispatch that fails publishes it too), so the index holds the runs that may still need the
   * sweep and nothing else, however long the history. Keys only (a run's later writes do not touch
   * it); sorted like the runs index, by creation time + run id.
   */
  public static final String OPEN_RUNS_INDEX = "open-runs";

  public static final String OPEN_RUNS_INDEX_PARTITION_KEY = "openpk";
  public static final String OPEN_RUNS_INDEX_SORT_KEY = RUNS_INDEX_SORT_KEY;

  /** Epoch seconds after which DynamoDB TTL may delete a finished run's items. */
  public static final String TTL_ATTRIBUTE = "expiresAt";

  private TableSchema() {}
}
