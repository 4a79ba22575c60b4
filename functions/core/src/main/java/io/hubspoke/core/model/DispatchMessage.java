package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.core.json.Json;

/**
 * The body of a dispatch-queue message: one chunk of a run's durable request to turn into tasks.
 * The chunk's items live in the table; the message only names them.
 */
public record DispatchMessage(String runId, String incarnation, int chunk) {
  public static final int VERSION = 1;

  public String toJson() {
    ObjectNode node = Json.object();
    node.put("v", VERSION);
    node.put("runId", runId);
    node.put("incarnation", incarnation);
    node.put("chunk", chunk);
    return Json.write(node);
  }

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  public static DispatchMessage parse(String body) {
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
    JsonNode incarnation = node.get("incarnation");
    if (incarnation == null
        || !incarnation.isTextual()
        || !RunIds.isValidIncarnation(incarnation.textValue())) {
      throw new IllegalArgumentException("field incarnation is missing or malformed");
    }
    JsonNode chunk = node.get("chunk");
    if (chunk == null || !chunk.isInt() || chunk.intValue() < 0) {
      throw new IllegalArgumentException("field chunk is missing or not a chunk number");
    }
    return new DispatchMessage(runId.textValue(), incarnation.textValue(), chunk.intValue());
  }
}
