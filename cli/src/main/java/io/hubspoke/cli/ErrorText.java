package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the CLI words a rejected request: the message, then each field with its fix. */
final class ErrorText {
  private ErrorText() {}

  static String fromResponse(JsonNode body) {
    return fromResponse(body, Map.of());
  }

  /**
   * As {@link #fromResponse(JsonNode)}, each field named as the command line names it (a query
   * parameter {@code status} as {@code --status}, a path parameter as its argument).
   */
  static String fromResponse(JsonNode body, Map<String, String> names) {
    List<FieldError> errors = new ArrayList<>();
    for (JsonNode e : body.path("errors")) {
      String field = e.path("field").asText();
      errors.add(
          new FieldError(named(field, names), e.path("message").asText(), e.path("fix").asText()));
    }
    return of(body.path("message").asText("the request was rejected"), errors);
  }

  /** The field as the command line names it: {@code statuses[1]} of {@code --statuses} too. */
  private static String named(String field, Map<String, String> names) {
    for (Map.Entry<String, String> name : names.entrySet()) {
      String key = name.getKey();
      if (field.equals(key)
          || (field.startsWith(key)
              && (field.charAt(key.length()) == '[' || field.charAt(key.length()) == '.'))) {
        return name.getValue() + field.substring(key.length());
      }
    }
    return field;
  }

  static String of(String message, List<FieldError> errors) {
    StringBuilder text = new StringBuilder(message);
    for (FieldError e : errors) {
      text.append(
          String.format(Locale.ROOT, "%n  %s: %s (fix: %s)", e.field(), e.message(), e.fix()));
    }
    return text.toString();
  }
}
