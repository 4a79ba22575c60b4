package io.hubspoke.core.config;

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

  private SpokeLimits() {}
}
