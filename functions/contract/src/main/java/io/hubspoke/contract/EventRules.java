package io.hubspoke.contract;

/**
 * The events hubspoke publishes and the rule patterns that route them. The CDK stack and the local
 * event bus both read the patterns from here, so the two cannot drift apart.
 */
public final class EventRules {
  public static final String SOURCE = "hubspoke";

  public static final String RUN_STARTED = "RunStarted";
  public static final String RUN_DRAINED = "RunDrained";
  public static final String RUN_COMPLETED = "RunCompleted";

  /** A run was cancelled (published when the cancel is accepted; RunCompleted follows). */
  public static final String RUN_CANCELLED = "RunCancelled";

  /** A finished run is running again: its failed (or cancelled) tasks get another round. */
  public static final String RUN_REDRIVEN = "RunRedriven";

  /**
   * Tasks of a hybrid run are claimable (published when they are written, revived, or found overdue
   * by the sweep): {@code {runId, incarnation, count, shards: {from, to}}}.
   */
  public static final String WORK_AVAILABLE = "WorkAvailable";

  /** Name of the rule that sends {@code WorkAvailable} to the spoke function. */
  public static final String WORK_AVAILABLE_RULE = "work-available-to-spoke";

  /** Event Ruler / EventBridge pattern of {@link #WORK_AVAILABLE_RULE}. */
  public static final String WORK_AVAILABLE_PATTERN =
      "{\"source\":[\"" + SOURCE + "\"],\"detail-type\":[\"" + WORK_AVAILABLE + "\"]}";

  /** Name of the rule that sends {@code RunDrained} to the collector. */
  public static final String RUN_DRAINED_RULE = "run-drained-to-collector";

  /** Event Ruler / EventBridge pattern of {@link #RUN_DRAINED_RULE}. */
  public static final String RUN_DRAINED_PATTERN =
      "{\"source\":[\"" + SOURCE + "\"],\"detail-type\":[\"" + RUN_DRAINED + "\"]}";

  private EventRules() {}
}
