package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;

/**
 * What the work queue's and the dispatch queue's message bodies share: a JSON object with a version
 * {@code v} and a {@code runId}. Each failure names the field, for the dead-letter reason.
 */
final class MessageBody {
  private MessageBody() {}

  /**
   * @return the body as a JSON object whose {@code v} and {@code runId} are valid
   * @throws IllegalArgumentException naming what is wrong
   */
  static JsonNode parse(String body, int version) {
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
    if (v == null || !v.isInt() || v.intValue() != version) {
      throw new IllegalArgumentException("field v must be " + version);
    }
    JsonNode runId = node.get("runId");
    if (runId == null || !runId.isTextual() || !RunIds.isValid(runId.textValue())) {
      throw new IllegalArgumentException("field runId is missing or not a run id");
    }
    return node;
  }

  /** A field holding a whole number from 0, e.g. a task index. */
  static int position(JsonNode node, String field, String what) {
    JsonNode value = node.get(field);
    if (value == null || !value.isInt() || value.intValue() < 0) {
      throw new IllegalArgumentException("field " + field + " is missing or not a " + what);
    }
    return value.intValue();
  }
}
