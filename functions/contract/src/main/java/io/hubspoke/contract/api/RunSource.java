package io.hubspoke.contract.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;

/**
 * Where a run's items come from when the request names a {@code source} instead of giving {@code
 * items}: the hub discovers them page by page after it has answered, checkpointing its cursor with
 * the run.
 */
public sealed interface RunSource {
  /** The {@code type} a request names, e.g. {@code "range"}. */
  String type();

  /** The source as it is stored with the run and shown back: every default filled in. */
  ObjectNode toJson();

  /** Reads back what {@link #toJson} wrote (a stored, already validated source). */
  static RunSource fromJson(JsonNode node) {
    JsonNode config = node.has("config") ? node.get("config") : Json.object();
    return switch (node.path("type").asText()) {
      case "range" ->
          new Range(
              node.path("start").asLong(), node.path("end").asLong(), node.path("step").asLong(1));
      case "worker" -> new Plugin(node.path("name").asText(), config);
      case "lambda" -> new Lambda(node.path("function").asText(), config);
      default -> throw new IllegalArgumentException("not a stored source: " + node);
    };
  }

  /**
   * {@code start, start + step, …} below {@code end}: built in, for tests and synthetic runs. The
   * items are numbers.
   */
  record Range(long start, long end, long step) implements RunSource {
    /** Items per page: a page is one checkpoint of the cursor. */
    public static final int PAGE_ITEMS = 1000;

    public long count() {
      return end <= start ? 0 : (end - start + step - 1) / step;
    }

    @Override
    public String type() {
      return "range";
    }

    @Override
    public ObjectNode toJson() {
      return Json.object()
          .put("type", type())
          .put("start", start)
          .put("end", end)
          .put("step", step);
    }
  }

  /** A plug-in {@code ItemSource} found by name, with its settings. */
  record Plugin(String name, JsonNode config) implements RunSource {
    @Override
    public String type() {
      return "worker";
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode node = Json.object().put("type", type()).put("name", name);
      node.set("config", config.deepCopy());
      return node;
    }
  }

  /**
   * A Lambda function that returns {@code {"items": [...], "cursor": "..."}} pages until the cursor
   * is null; it is invoked with {@code {"runId", "cursor", "config", "deadline"}}.
   */
  record Lambda(String function, JsonNode config) implements RunSource {
    @Override
    public String type() {
      return "lambda";
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode node = Json.object().put("type", type()).put("function", function);
      node.set("config", config.deepCopy());
      return node;
    }
  }
}
