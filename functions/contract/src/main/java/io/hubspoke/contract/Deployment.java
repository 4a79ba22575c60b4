package io.hubspoke.contract;

/**
 * The defaults and limits of one deployment, named once for the CDK stack ({@code HubspokeConfig}),
 * the local runtime ({@code LocalOptions}, its SQS event-source emulator and the CLI) and the
 * functions, which otherwise each typed them. Each caller keeps its own error messages; the numbers
 * and formulas are these.
 */
public final class Deployment {
  /** Function timeouts, in seconds, when the deployment does not set them. */
  public static final int DEFAULT_HUB_TIMEOUT_SECONDS = 30;

  public static final int DEFAULT_SPOKE_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_COLLECTOR_TIMEOUT_SECONDS = 300;

  /** Messages per spoke invocation: Lambda's default for an SQS event source. */
  public static final int DEFAULT_SPOKE_BATCH_SIZE = 10;

  /**
   * Receives before SQS moves a message to the dead-letter queue. Throttled invocations count too,
   * hence the floor of {@link #MIN_MAX_RECEIVE_COUNT}.
   */
  public static final int DEFAULT_MAX_RECEIVE_COUNT = 8;

  public static final int MIN_MAX_RECEIVE_COUNT = 5;
  public static final int MAX_MAX_RECEIVE_COUNT = 1000;

  /** The range of an SQS event source mapping's {@code maximumConcurrency}. */
  public static final int MIN_MAXIMUM_CONCURRENCY = 2;

  public static final int MAX_MAXIMUM_CONCURRENCY = 1000;

  /** An SQS event source's batch size and batching window, and the rule between them. */
  public static final int MAX_EVENT_SOURCE_BATCH_SIZE = 10_000;

  public static final int MAX_BATCHING_WINDOW_SECONDS = 300;

  /** A batch larger than this needs a batching window of at least 1 s. */
  public static final int MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;

  /** SQS's longest visibility timeout (12 h). */
  public static final int MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

  /** Seconds a task lease outlasts the task deadline, to record the outcome. */
  public static final int DEFAULT_LEASE_GRACE_SECONDS = 10;

  /** Seconds a chunk's dispatch lease outlasts its dispatcher's deadline. */
  public static final int DEFAULT_DISPATCH_LEASE_MARGIN_SECONDS = 30;

  /** Seconds a collector holds a run while summarizing it. */
  public static final int DEFAULT_SUMMARY_LEASE_SECONDS = 360;

  /** Seconds a task may stay unclaimed after it became due before the sweep sends it again. */
  public static final int DEFAULT_STALL_MARGIN_SECONDS = 60;

  /** Days after its creation when every item of a run expires. */
  public static final int DEFAULT_RETENTION_DAYS = 30;

  private Deployment() {}

  /**
   * A queue's visibility timeout: 6 x its consumer's timeout plus the batching window, as AWS
   * recommends for an SQS event source (the work queue: the spoke; the dispatch queue: the hub,
   * without a window).
   */
  public static int visibilityTimeoutSeconds(
      int consumerTimeoutSeconds, int batchingWindowSeconds) {
    return 6 * consumerTimeoutSeconds + batchingWindowSeconds;
  }

  /** Whether {@code maximumConcurrency} is one an SQS event source mapping accepts. */
  public static boolean isValidMaximumConcurrency(int maximumConcurrency) {
    return maximumConcurrency >= MIN_MAXIMUM_CONCURRENCY
        && maximumConcurrency <= MAX_MAXIMUM_CONCURRENCY;
  }

  /** Whether an SQS event source accepts this batch size without a batching window. */
  public static boolean needsBatchingWindow(int batchSize) {
    return batchSize > MAX_BATCH_SIZE_WITHOUT_WINDOW;
  }
}
