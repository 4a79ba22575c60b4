package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Small checks shared by the built-in workers' config validation. */
public final class WorkerConfigs {
  private WorkerConfigs() {}

  public static void rejectUnknown(JsonNode config, Set<String> known, List<FieldError> errors) {
    for (Iterator<String> names = config.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        errors.add(
            new FieldError(
                name,
                "unknown setting",
                known.isEmpty()
                    ? "this worker takes no settings: remove it"
                    : "remove it; the settings are "
                        + String.join(", ", known.stream().sorted().toList())));
      }
    }
  }

  public static long longIn(
      JsonNode config, String field, long min, long max, long dflt, List<FieldError> errors) {
    JsonNode value = config.get(field);
    if (value == null || value.isNull()) {
      return dflt;
    }
    if (!value.isIntegralNumber()
        || !value.canConvertToLong()
        || value.longValue() < min
        || value.longValue() > max) {
      errors.add(
          new FieldError(
              field,
              "must be a whole number from " + min + " to " + max,
              "give e.g. " + Math.max(min, Math.min(max, dflt))));
      return dflt;
    }
    return value.longValue();
  }

  public static double rate(JsonNode config, String field, List<FieldError> errors) {
    JsonNode value = config.get(field);
    if (value == null || value.isNull()) {
      return 0.0;
    }
    if (!value.isNumber() || value.doubleValue() < 0.0 || value.doubleValue() > 1.0) {
      errors.add(
          new FieldError(field, "must be a number from 0 to 1", "give a share, e.g. 0.05 for 5%"));
      return 0.0;
    }
    return value.doubleValue();
  }
}
