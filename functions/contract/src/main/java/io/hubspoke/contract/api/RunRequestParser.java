package io.hubspoke.contract.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.contract.workers.WorkerConfigSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a run request (JSON) into a {@link RunRequest}, collecting every problem with the field it
 * concerns and the fix, so a client can correct all of them at once.
 */
public final class RunRequestParser {
  public static final Set<String> FIELDS =
      Set.of(
          "items", "worker", "workerConfig", "idempotencyKey", "maxAttempts", "taskTimeoutSeconds");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]+");

  private final WorkerCatalog workers;
  private final int maxTaskTimeoutSeconds;
  private final String whyMaxTaskTimeout;

  /** Bounds the task timeout by the API's own limit only. */
  public RunRequestParser(WorkerCatalog workers) {
    this.workers = workers;
    this.maxTaskTimeoutSeconds = Limits.MAX_TASK_TIMEOUT_SECONDS;
    this.whyMaxTaskTimeout = null;
  }

  /** Bounds the task timeout also by what a spoke with this timeout can give a task. */
  public RunRequestParser(WorkerCatalog workers, int spokeTimeoutSeconds, int leaseGraceSeconds) {
    this.workers = workers;
    this.maxTaskTimeoutSeconds =
        Math.min(
            Limits.MAX_TASK_TIMEOUT_SECONDS,
            SpokeLimits.maxTaskTimeoutSeconds(spokeTimeoutSeconds, leaseGraceSeconds));
    this.whyMaxTaskTimeout = SpokeLimits.whyMaxTaskTimeout(spokeTimeoutSeconds, leaseGraceSeconds);
  }

  /** Parses the raw body of {@code POST /runs}. */
  public RunRequest parse(String body) {
    if (body == null || body.isBlank()) {
      throw new InvalidInputException(
          "body",
          "the request body is empty",
          "send a JSON object such as {\"items\":[1,2,3],\"worker\":\"echo\"}");
    }
    if (body.length() > Limits.MAX_REQUEST_BYTES
        || body.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_REQUEST_BYTES) {
      throw new InvalidInputException(
          "body",
          "the request body is larger than " + Limits.MAX_REQUEST_BYTES + " bytes",
          "split the items over several runs");
    }
    if (body.charAt(0) == '\uFEFF') {
      throw new InvalidInputException(
          "body", "the body starts with a byte order mark", "send UTF-8 JSON without a BOM");
    }
    JsonNode node;
    try {
      node = Json.parse(body);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          "body",
          "the body is not valid JSON: " + e.getOriginalMessage(),
          "send a JSON object such as {\"items\":[1,2,3],\"worker\":\"echo\"}");
    }
    return parse(node);
  }

  /** Validates an already-parsed request (direct invocation or a scheduled rule's detail). */
  public RunRequest parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new InvalidInputException(
          "body",
          "the run request must be a JSON object",
          "send {\"items\":[…],\"worker\":\"echo\"}");
    }
    List<FieldError> errors = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        errors.add(
            new FieldError(
                name,
                "unknown field",
                "remove it; the fields are "
                    + String.join(", ", FIELDS.stream().sorted().toList())));
      }
    }
    List<String> items = items(node.get("items"), errors);
    String workerName = worker(node.get("worker"), errors);
    JsonNode workerConfig = workerConfig(node.get("workerConfig"), workerName, errors);
    Optional<String> idempotencyKey = idempotencyKey(node.get("idempotencyKey"), errors);
    int maxAttempts =
        boundedInt(
            node.get("maxAttempts"),
            "maxAttempts",
            Limits.MIN_ATTEMPTS,
            Limits.MAX_ATTEMPTS,
            Limits.DEFAULT_MAX_ATTEMPTS,
            errors);
    int errorsBefore = errors.size();
    int timeout =
        boundedInt(
            node.get("taskTimeoutSeconds"),
            "taskTimeoutSeconds",
            Limits.MIN_TASK_TIMEOUT_SECONDS,
            Limits.MAX_TASK_TIMEOUT_SECONDS,
            Limits.DEFAULT_TASK_TIMEOUT_SECONDS,
            errors);
    if (errors.size() == errorsBefore) {
      timeout = withinTheSpoke(node.get("taskTimeoutSeconds"), timeout, errors);
    }
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    return new RunRequest(items, workerName, workerConfig, idempotencyKey, maxAttempts, timeout);
  }

  /** A task must fit in one spoke invocation; the default shrinks to what the spoke gives. */
  private int withinTheSpoke(JsonNode given, int timeout, List<FieldError> errors) {
    if (timeout <= maxTaskTimeoutSeconds) {
      return timeout;
    }
    if (given == null || given.isNull()) {
      return maxTaskTimeoutSeconds;
    }
    errors.add(
        new FieldError(
            "taskTimeoutSeconds",
            "is " + timeout + ", but " + whyMaxTaskTimeout,
            "give at most "
                + maxTaskTimeoutSeconds
                + ", or deploy the spoke with a longer timeout (CDK context"
                + " hubspoke:spokeTimeoutSeconds)"));
    return timeout;
  }

  private static List<String> items(JsonNode items, List<FieldError> errors) {
    if (items == null || items.isNull()) {
      errors.add(
          new FieldError(
              "items", "is required", "give the work items as a JSON array, e.g. [\"a\",\"b\"]"));
      return List.of();
    }
    if (!items.isArray()) {
      errors.add(
          new FieldError(
              "items", "must be a JSON array, not " + kind(items), "wrap the items in [ ]"));
      return List.of();
    }
    if (items.isEmpty()) {
      errors.add(new FieldError("items", "is empty", "give at least one item"));
      return List.of();
    }
    if (items.size() > Limits.MAX_ITEMS) {
      errors.add(
          new FieldError(
              "items",
              "has " + items.size() + " items; at most " + Limits.MAX_ITEMS + " are allowed",
              "split the items over several runs"));
      return List.of();
    }
    List<String> texts = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (item.isNull()) {
        errors.add(
            new FieldError(
                "items[" + i + "]", "is null", "remove it or give a value (any JSON but null)"));
        continue;
      }
      String text = Json.write(item);
      if (text.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ITEM_BYTES) {
        errors.add(
            new FieldError(
                "items[" + i + "]",
                "is larger than " + Limits.MAX_ITEM_BYTES + " bytes",
                "store large payloads elsewhere (e.g. S3) and pass a reference"));
        continue;
      }
      texts.add(text);
    }
    return texts;
  }

  private String worker(JsonNode worker, List<FieldError> errors) {
    String known = String.join(", ", workers.names());
    if (worker == null || worker.isNull()) {
      errors.add(new FieldError("worker", "is required", "name one of: " + known));
      return null;
    }
    if (!worker.isTextual()) {
      errors.add(
          new FieldError(
              "worker", "must be a string, not " + kind(worker), "name one of: " + known));
      return null;
    }
    if (workers.find(worker.textValue()).isEmpty()) {
      errors.add(
          new FieldError(
              "worker", "unknown worker '" + worker.textValue() + "'", "name one of: " + known));
      return null;
    }
    return worker.textValue();
  }

  private JsonNode workerConfig(JsonNode config, String workerName, List<FieldError> errors) {
    JsonNode effective = config == null || config.isNull() ? Json.object() : config;
    if (!effective.isObject()) {
      errors.add(
          new FieldError(
              "workerConfig",
              "must be a JSON object, not " + kind(effective),
              "give the worker's settings as an object, e.g. {\"ms\":100}"));
      return effective;
    }
    if (Json.write(effective).getBytes(StandardCharsets.UTF_8).length
        > Limits.MAX_WORKER_CONFIG_BYTES) {
      errors.add(
          new FieldError(
              "workerConfig",
              "is larger than " + Limits.MAX_WORKER_CONFIG_BYTES + " bytes",
              "keep the worker settings small; put data in the items"));
      return effective;
    }
    if (workerName != null) {
      WorkerConfigSchema worker = workers.find(workerName).orElseThrow();
      for (FieldError error : worker.validateConfig(effective)) {
        errors.add(new FieldError("workerConfig." + error.field(), error.message(), error.fix()));
      }
    }
    return effective;
  }

  private static Optional<String> idempotencyKey(JsonNode key, List<FieldError> errors) {
    if (key == null || key.isNull()) {
      return Optional.empty();
    }
    String fix =
        "use 1–" + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters from A–Z, a–z, 0–9 and . _ : -";
    if (!key.isTextual()) {
      errors.add(new FieldError("idempotencyKey", "must be a string, not " + kind(key), fix));
      return Optional.empty();
    }
    String text = key.textValue();
    if (text.isEmpty() || text.length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH) {
      errors.add(new FieldError("idempotencyKey", "has " + text.length() + " characters", fix));
      return Optional.empty();
    }
    if (!IDEMPOTENCY_KEY.matcher(text).matches()) {
      errors.add(new FieldError("idempotencyKey", "contains characters that are not allowed", fix));
      return Optional.empty();
    }
    return Optional.of(text);
  }

  static int boundedInt(
      JsonNode value, String field, int min, int max, int defaultValue, List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    String fix = "give a whole number from " + min + " to " + max;
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      errors.add(new FieldError(field, "must be a whole number, not " + kind(value), fix));
      return defaultValue;
    }
    int number = value.intValue();
    if (number < min || number > max) {
      errors.add(new FieldError(field, "is " + number + ", out of range", fix));
      return defaultValue;
    }
    return number;
  }

  public static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return "null";
  }
}
