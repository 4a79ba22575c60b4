package io.hubspoke.infra.constructs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One scheduled run: an EventBridge rule named after {@code name} fires on {@code expression} and
 * invokes the hub with {@code request} as the run request ({@link ScheduledRuns}).
 */
public record ScheduledRun(String name, String expression, Map<String, Object> request) {
  /**
   * The CDK context key the schedules are configured under: errors about a schedule name it, so the
   * reader knows where to fix it.
   */
  public static final String CONTEXT_KEY = "hubspoke:schedules";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,47}");

  public ScheduledRun {
    Objects.requireNonNull(name, "schedule name");
    Objects.requireNonNull(expression, "schedule expression");
    Objects.requireNonNull(request, "schedule request");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "schedule name must match " + NAME.pattern() + ", got '" + name + "'");
    }
    if (!(expression.startsWith("rate(") || expression.startsWith("cron("))
        || !expression.endsWith(")")) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': expression must be rate(...) or cron(...): " + expression);
    }
    if (request.containsKey("idempotencyKey")) {
      throw new IllegalArgumentException(
          "schedule '" + name + "': the request must not set idempotencyKey, the rule sets it");
    }
    for (Map.Entry<String, Object> field : request.entrySet()) {
      if (field.getValue() == null) {
        throw new IllegalArgumentException(
            "schedule '"
                + name
                + "': request field '"
                + field.getKey()
                + "' is null; give it a value or leave it out");
      }
    }
    // In the order the request was written: the rule's input template renders it in that order,
    // so synthesizing twice gives the same template (Map.copyOf's order changes between JVMs).
    request = Collections.unmodifiableMap(new LinkedHashMap<>(request));
  }
}
