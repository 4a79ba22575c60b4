package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.core.json.Json;

/**
 * The body of a work-queue message: only the task's key. The item itself lives in the table, so
 * messages stay small whatever the item size.
 */
public record TaskMessage(String runId, int taskIndex) {
  public static final int VERSION = 1;

  public String toJson() {
    ObjectNode node = Json.object();
    node.put("v", VERSION);
    node.put("runId", runId);
    node.put("task", taskIndex);
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
    return new TaskMessage(runId.textValue(), task.intValue());
  }
}
