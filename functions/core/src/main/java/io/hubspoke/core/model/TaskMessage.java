package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;

/**
 * The body of a work-queue message: only the task's key. The item itself lives in the table, so
 * messages stay small whatever the item size.
 *
 * @param incarnation the run's incarnation ({@link RunSpec#incarnation()}), or null (then the
 *     current run under {@code runId} is meant): tells a message of an expired run from one of the
 *     run created again under the same id
 * @param waits how many times a spoke found the run's concurrency cap reached and sent the message
 *     again to wait ({@link #waitedOnce}): the next wait is longer
 */
public record TaskMessage(String runId, int taskIndex, String incarnation, int waits) {
  public static final int VERSION = 1;

  public TaskMessage(String runId, int taskIndex) {
    this(runId, taskIndex, null);
  }

  public TaskMessage(String runId, int taskIndex, String incarnation) {
    this(runId, taskIndex, incarnation, 0);
  }

  /** The same task's message, sent again after one more wait for a free slot. */
  public TaskMessage waitedOnce() {
    return new TaskMessage(runId, taskIndex, incarnation, waits + 1);
  }

  public static TaskMessage of(RunSpec spec, int taskIndex) {
    return new TaskMessage(spec.runId(), taskIndex, spec.incarnation());
  }

  public String toJson() {
    ObjectNode node = Json.object();
    node.put("v", VERSION);
    node.put("runId", runId);
    node.put("task", taskIndex);
    if (incarnation != null) {
      node.put("inc", incarnation);
    }
    if (waits > 0) {
      node.put("waits", waits);
    }
    return Json.write(node);
  }

  /**
   * Parses a message body.
   *
   * @throws IllegalArgumentException naming what is wrong, for the dead-letter reason
   */
  public static TaskMessage parse(String body) {
    JsonNode node = MessageBody.parse(body, VERSION);
    int task = MessageBody.position(node, "task", "task index");
    JsonNode inc = node.get("inc");
    if (inc != null && !(inc.isTextual() && RunIds.isValidIncarnation(inc.textValue()))) {
      throw new IllegalArgumentException("field inc is not a run incarnation");
    }
    JsonNode waits = node.get("waits");
    if (waits != null && !(waits.isInt() && waits.intValue() >= 0)) {
      throw new IllegalArgumentException("field waits is not a count");
    }
    return new TaskMessage(
        node.get("runId").textValue(),
        task,
        inc == null ? null : inc.textValue(),
        waits == null ? 0 : waits.intValue());
  }
}
