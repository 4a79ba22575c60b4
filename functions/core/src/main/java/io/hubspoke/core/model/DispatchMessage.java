package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;

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
    JsonNode node = MessageBody.parse(body, VERSION);
    JsonNode incarnation = node.get("incarnation");
    if (incarnation == null
        || !incarnation.isTextual()
        || !RunIds.isValidIncarnation(incarnation.textValue())) {
      throw new IllegalArgumentException("field incarnation is missing or malformed");
    }
    int chunk = MessageBody.position(node, "chunk", "chunk number");
    return new DispatchMessage(node.get("runId").textValue(), incarnation.textValue(), chunk);
  }
}
