package io.hubspoke.contract.api;

/**
 * The documented limits of one run request. They keep a request inside one synchronous Lambda
 * invocation (6 MB payload) and a task item well inside DynamoDB's 400 KB, at one or a few write
 * units per task.
 */
public final class Limits {
  public static final int MAX_ITEMS = 10_000;

  /**
   * The most items a {@code source} may discover for one run: a run record lists its dispatched
   * chunks and drained shards (one number each per 200 tasks), well inside one 400 KB item.
   */
  public static final int MAX_DISCOVERED_ITEMS = 100_000;

  /** A {@code source}'s settings, as JSON, like a worker's. */
  public static final int MAX_SOURCE_CONFIG_BYTES = 8 * 1024;

  public static final int MAX_ITEM_BYTES = 32 * 1024;
  public static final int MAX_REQUEST_BYTES = 5 * 1024 * 1024;
  public static final int MAX_WORKER_CONFIG_BYTES = 8 * 1024;
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;
  public static final int MIN_ATTEMPTS = 1;
  public static final int MAX_ATTEMPTS = 10;
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final int MIN_TASK_TIMEOUT_SECONDS = 1;

  /** Lambda's 900 s ceiling less room to record the outcome. */
  public static final int MAX_TASK_TIMEOUT_SECONDS = 840;

  public static final int DEFAULT_TASK_TIMEOUT_SECONDS = 60;

  /**
   * A worker's result, as JSON. The task item holds it with the item (≤ 32 KB), the last error and
   * its bookkeeping, all under DynamoDB's 400 KB per item; a write costs one unit per KB.
   */
  public static final int MAX_RESULT_BYTES = 256 * 1024;

  private Limits() {}
}
