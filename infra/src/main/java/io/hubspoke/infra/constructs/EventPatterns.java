package io.hubspoke.infra.constructs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.events.EventPattern;

/**
 * Turns an EventBridge / Event Ruler pattern written as JSON (as the core and the local runtime
 * hold them) into a CDK {@link EventPattern}, so a rule is written once.
 */
public final class EventPatterns {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventPatterns() {}

  /** Parses {@code json}; every top-level field of an EventBridge event pattern is supported. */
  public static EventPattern fromJson(String json) {
    Map<String, Object> pattern;
    try {
      pattern = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON event pattern: " + json, e);
    }
    EventPattern.Builder builder = EventPattern.builder();
    for (Map.Entry<String, Object> field : pattern.entrySet()) {
      Object value = field.getValue();
      switch (field.getKey()) {
        case "source" -> builder.source(strings(field.getKey(), value));
        case "detail-type" -> builder.detailType(strings(field.getKey(), value));
        case "account" -> builder.account(strings(field.getKey(), value));
        case "region" -> builder.region(strings(field.getKey(), value));
        case "resources" -> builder.resources(strings(field.getKey(), value));
        case "id" -> builder.id(strings(field.getKey(), value));
        case "time" -> builder.time(strings(field.getKey(), value));
        case "version" -> builder.version(strings(field.getKey(), value));
        case "detail" -> builder.detail(object(field.getKey(), value));
        default ->
            throw new IllegalArgumentException(
                "unsupported event pattern field '" + field.getKey() + "' in " + json);
      }
    }
    return builder.build();
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(String field, Object value) {
    if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      return (List<String>) list;
    }
    throw new IllegalArgumentException(
        "event pattern field '" + field + "' must be a list of strings here, got " + value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String field, Object value) {
    if (value instanceof Map<?, ?>) {
      return (Map<String, Object>) value;
    }
    throw new IllegalArgumentException(
        "event pattern field '" + field + "' must be an object, got " + value);
  }
}
