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

  /**
   * Sparse index of the tasks a claimer may take, for runs whose tasks are claimed without a
   * message (pull dispatch): a task carries {@link #CLAIMABLE_INDEX_PARTITION_KEY} (its run, its
   * incarnation and its shard) from creation until it is terminal, and {@link
   * #CLAIMABLE_INDEX_SORT_KEY}, epoch millis from which a claim may take it: when it becomes due
   * (created, released after its backoff) and, while RUNNING, when its lease ends. A query for
   * {@code <= now} finds the PENDING tasks that are due and the RUNNING ones whose owner died. Keys
   * only: the claim reads the task itself.
   */
  public static final String CLAIMABLE_INDEX = "claimable";

  public static final String CLAIMABLE_INDEX_PARTITION_KEY = "claimpk";
  public static final String CLAIMABLE_INDEX_SORT_KEY = "claimableAt";

  /** Epoch seconds after which DynamoDB TTL may delete a finished run's items. */
  public static final String TTL_ATTRIBUTE = "expiresAt";

  private TableSchema() {}
}
