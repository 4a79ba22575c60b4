package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.core.json.Json;

/**
 * The body of a work-queue message: only the task's key. The item itself lives in the table, so
 * messages stay small whatever the item size.
 *
 * @param incarnation the run's incarnation ({@link RunSpec#incarnation()}), or null (then the
 *     current run under {@code runId} is meant): tells a message of an expired run from one of the
 *     run created again under the same id
 */
public record TaskMessage(String runId, int taskIndex, String incarnation) {
  public static final int VERSION = 1;

  public TaskMessage(String runId, int taskIndex) {
    this(runId, taskIndex, null);
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
    return Json.write(node);
  }

  /**
   * Parses a message body.
   *
   * @throws IllegalArgumentException naming what is wrong, for the dead-letter reason
   */
  public static TaskMessage parse(String body) {
    JsonNode node;
    try {
      node = Json.parse(body == null ? "" : body);
    } catch (Exception e) {
      throw new IllegalArgumentException("message body is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("message body is not a JSON object");
    }
    JsonNode v = node.get("v");
    if (v == null || !v.isInt() || v.intValue() != VERSION) {
      throw new IllegalArgumentException("field v must be " + VERSION);
    }
    JsonNode runId = node.get("runId");
    if (runId == null || !runId.isTextual() || !RunIds.isValid(runId.textValue())) {
      throw new IllegalArgumentException("field runId is missing or not a run id");
    }
    JsonNode task = node.get("task");
    if (task == null || !task.isInt() || task.intValue() < 0) {
      throw new IllegalArgumentException("field task is missing or not a task index");
    }
    JsonNode inc = node.get("inc");
    if (inc != null && !(inc.isTextual() && RunIds.isValidIncarnation(inc.textValue()))) {
      throw new IllegalArgumentException("field inc is not a run incarnation");
    }
    return new TaskMessage(
        runId.textValue(), task.intValue(), inc == null ? null : inc.textValue());
  }
}
