package io.hubspoke.contract;

/**
 * What one spoke invocation can run. The spoke enforces these; the CDK config and the local
 * runtime's flags check their settings against the same numbers, so a deployment cannot ask a spoke
 * for more than it can do.
 */
public final class SpokeLimits {
  /** Lambda's limit on threads (and processes) in one execution environment. */
  public static final int LAMBDA_THREADS = 1024;

  /**
   * Messages one invocation works on at once, and so the largest batch a spoke takes. Each needs
   * one thread for its claim and commit and one for its worker, and a worker that ignores its
   * interrupt may hold one more past its deadline: at most 3 × 100 threads, which leaves the JVM
   * and the SDK ample room under {@link #LAMBDA_THREADS}.
   */
  public static final int MAX_BATCH_SIZE = 100;

  /** Worker threads: one per message at work, and as many again for workers past their deadline. */
  public static final int MAX_WORKER_THREADS = 2 * MAX_BATCH_SIZE;

  /**
   * Seconds kept back from the end of an invocation to record the outcome, or a tenth of the
   * invocation if that is less.
   */
  public static final int COMMIT_RESERVE_SECONDS = 2;

  /** SQS's longest message delay: the spoke's delayed re-sends must reach past a lease. */
  public static final int MAX_DELAY_SECONDS = 900;

  private SpokeLimits() {}

  /** The commit reserve of a spoke with this timeout, in whole seconds. */
  public static int commitReserveSeconds(int spokeTimeoutSeconds) {
    return (int) Math.ceil(Math.min(COMMIT_RESERVE_SECONDS, spokeTimeoutSeconds / 10.0));
  }

  /**
   * The longest task timeout a spoke can give a task whole: its own timeout less the commit
   * reserve, and short enough that the lease (task timeout + grace) ends within SQS's longest
   * delay. Less than 1 means the spoke cannot run a task at all.
   */
  public static int maxTaskTimeoutSeconds(int spokeTimeoutSeconds, int leaseGraceSeconds) {
    return Math.min(
        spokeTimeoutSeconds - commitReserveSeconds(spokeTimeoutSeconds),
        MAX_DELAY_SECONDS - leaseGraceSeconds - 1);
  }

  /** Why {@link #maxTaskTimeoutSeconds} is what it is, for error messages. */
  public static String whyMaxTaskTimeout(int spokeTimeoutSeconds, int leaseGraceSeconds) {
    int reserve = commitReserveSeconds(spokeTimeoutSeconds);
    int max = maxTaskTimeoutSeconds(spokeTimeoutSeconds, leaseGraceSeconds);
    if (max == spokeTimeoutSeconds - reserve) {
      return "the spoke's "
          + spokeTimeoutSeconds
          + " s timeout, less "
          + reserve
          + " s kept to record the outcome, leaves a task at most "
          + max
          + " s";
    }
    return "a lease (the task timeout + the "
        + leaseGraceSeconds
        + " s lease grace) must end within SQS's longest delay of "
        + MAX_DELAY_SECONDS
        + " s, which leaves a task at most "
        + max
        + " s";
  }
}
