package io.hubspoke.contract.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.util.Optional;

/**
 * How a run is held in: how many of its tasks may fail before it stops ({@code
 * toleratedFailureCount}, {@code toleratedFailurePercent}: either passed stops it), and how many of
 * its tasks may run at once ({@code maxConcurrency}, 0 for no cap beyond the deployment's).
 *
 * <p>Without a tolerance a run is today's: it runs every task and ends FAILED if any failed. With
 * one, it ends SUCCEEDED while its failures stay within it, and is stopped (as a cancel stops it)
 * and ends FAILED as soon as they pass it.
 */
public record RunControls(
    Optional<Integer> toleratedFailureCount,
    Optional<Double> toleratedFailurePercent,
    int maxConcurrency) {
  /** The most tasks a run may cap its concurrency at (the holders live in one item). */
  public static final int MAX_CONCURRENCY = 1_000;

  public static final RunControls NONE = new RunControls(Optional.empty(), Optional.empty(), 0);

  public RunControls {
    toleratedFailureCount =
        toleratedFailureCount == null ? Optional.empty() : toleratedFailureCount;
    toleratedFailurePercent =
        toleratedFailurePercent == null ? Optional.empty() : toleratedFailurePercent;
  }

  /** Whether the run has a failure tolerance (else any failure fails it, at its end). */
  public boolean tolerates() {
    return toleratedFailureCount.isPresent() || toleratedFailurePercent.isPresent();
  }

  /** Whether the run caps how many of its tasks run at once. */
  public boolean capped() {
    return maxConcurrency > 0;
  }

  /**
   * Whether {@code failed} failures of {@code total} tasks pass the tolerance.
   *
   * @param total the run's tasks (for a discovered run, those discovered so far)
   */
  public boolean exceeded(int failed, int total) {
    if (toleratedFailureCount.isPresent() && failed > toleratedFailureCount.get()) {
      return true;
    }
    return toleratedFailurePercent.isPresent()
        && total > 0
        && failed * 100.0 / total > toleratedFailurePercent.get();
  }

  /** Why a run that passed its tolerance was stopped, for its summary. */
  public String exceededReason(int failed, int total) {
    return "failures passed the run's tolerance: "
        + failed
        + " of "
        + total
        + " tasks failed"
        + toleratedFailureCount.map(n -> "; toleratedFailureCount is " + n).orElse("")
        + toleratedFailurePercent.map(p -> "; toleratedFailurePercent is " + p).orElse("");
  }

  public ObjectNode toJson() {
    ObjectNode json = Json.object();
    toleratedFailureCount.ifPresent(n -> json.put("toleratedFailureCount", n));
    toleratedFailurePercent.ifPresent(p -> json.put("toleratedFailurePercent", p));
    if (capped()) {
      json.put("maxConcurrency", maxConcurrency);
    }
    return json;
  }

  /** Reads back what {@link #toJson} wrote. */
  public static RunControls fromJson(JsonNode node) {
    return new RunControls(
        node.hasNonNull("toleratedFailureCount")
            ? Optional.of(node.get("toleratedFailureCount").asInt())
            : Optional.empty(),
        node.hasNonNull("toleratedFailurePercent")
            ? Optional.of(node.get("toleratedFailurePercent").asDouble())
            : Optional.empty(),
        node.path("maxConcurrency").asInt(0));
  }
}
