package io.hubspoke.contract;

/**
 * The metrics the functions emit, named once for the functions that write them ({@code RunMetrics})
 * and for the CDK stack that alarms on them.
 */
public final class RunMetricNames {
  /** CloudWatch namespace of every hubspoke metric. */
  public static final String NAMESPACE = "Hubspoke";

  /** 1 for a run that finished SUCCEEDED, else 0. */
  public static final String RUNS_SUCCEEDED = "RunsSucceeded";

  /** 1 for a run that finished FAILED, else 0. */
  public static final String RUNS_FAILED = "RunsFailed";

  /**
   * The one dimension: the deployment's table ({@link HubspokeEnvironment#TABLE_NAME}), the same
   * for every function of a stack (a run may end in the collector or, failing to dispatch, in the
   * hub) and different between two stacks in one account.
   */
  public static final String TABLE_NAME = "TableName";

  private RunMetricNames() {}
}
