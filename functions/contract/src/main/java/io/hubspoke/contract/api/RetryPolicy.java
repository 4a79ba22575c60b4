package io.hubspoke.contract.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;

/**
 * How long a task waits before its next attempt after a retryable failure: {@code
 * initialDelaySeconds × multiplier^(attempt − 1)}, at most {@code maxDelaySeconds} (and SQS's 900 s
 * longest delay), less a random share of up to {@code jitter} of it, so that tasks that failed
 * together do not all come back together.
 *
 * @param jitter 0 (none) to 1 ("full jitter": anywhere from 0 to the delay)
 */
public record RetryPolicy(
    int initialDelaySeconds, double multiplier, int maxDelaySeconds, double jitter) {
  /** SQS's longest message delay: a retry cannot wait longer. */
  public static final int MAX_DELAY_SECONDS = 900;

  public static final double MAX_MULTIPLIER = 10;

  /** 1 s, 2 s, 4 s … at most 900 s, no jitter: what a run without {@code retry} gets. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(1, 2.0, MAX_DELAY_SECONDS, 0.0);

  /**
   * The delay before the attempt after {@code attemptJustFailed}.
   *
   * @param unitRandom a number in [0, 1) chosen for this task and attempt
   */
  public int delaySeconds(int attemptJustFailed, double unitRandom) {
    double delay = initialDelaySeconds * Math.pow(multiplier, Math.max(0, attemptJustFailed - 1));
    delay = Math.min(Math.min(delay, maxDelaySeconds), MAX_DELAY_SECONDS);
    delay -= delay * jitter * unitRandom;
    return (int) Math.max(0, Math.round(delay));
  }

  public ObjectNode toJson() {
    return Json.object()
        .put("initialDelaySeconds", initialDelaySeconds)
        .put("multiplier", multiplier)
        .put("maxDelaySeconds", maxDelaySeconds)
        .put("jitter", jitter);
  }

  /** Reads back what {@link #toJson} wrote. */
  public static RetryPolicy fromJson(com.fasterxml.jackson.databind.JsonNode node) {
    return new RetryPolicy(
        node.path("initialDelaySeconds").asInt(DEFAULT.initialDelaySeconds()),
        node.path("multiplier").asDouble(DEFAULT.multiplier()),
        node.path("maxDelaySeconds").asInt(DEFAULT.maxDelaySeconds()),
        node.path("jitter").asDouble(DEFAULT.jitter()));
  }
}
