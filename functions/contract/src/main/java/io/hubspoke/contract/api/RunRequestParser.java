package io.hubspoke.contract.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
          "items",
          "source",
          "worker",
          "workerConfig",
          "idempotencyKey",
          "maxAttempts",
          "taskTimeoutSeconds",
          "retry",
          "toleratedFailureCount",
          "toleratedFailurePercent",
          "maxConcurrency",
          "dispatch");

  /** The {@code source} types, in the order an error lists them. */
  public static final List<String> SOURCE_TYPES = List.of("range", "worker", "lambda");

  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]+");

  private static final Pattern WORKER_LABEL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /** The worker of a pull run that names none. */
  public static final String EXTERNAL_WORKER = "external";

  private final WorkerCatalog workers;
  private final int maxTaskTimeoutSeconds;
  private final String whyMaxTaskTimeout;
  private final boolean pushAvailable;

  /** Bounds the task timeout by the API's own limit only. */
  public RunRequestParser(WorkerCatalog workers) {
    this.workers = workers;
    this.maxTaskTimeoutSeconds = Limits.MAX_TASK_TIMEOUT_SECONDS;
    this.whyMaxTaskTimeout = null;
    this.pushAvailable = true;
  }

  /** Bounds the task timeout also by what a spoke with this timeout can give a task. */
  public RunRequestParser(WorkerCatalog workers, int spokeTimeoutSeconds, int leaseGraceSeconds) {
    this.workers = workers;
    this.maxTaskTimeoutSeconds =
        Math.min(
            Limits.MAX_TASK_TIMEOUT_SECONDS,
            SpokeLimits.maxTaskTimeoutSeconds(spokeTimeoutSeconds, leaseGraceSeconds));
    this.whyMaxTaskTimeout = SpokeLimits.whyMaxTaskTimeout(spokeTimeoutSeconds, leaseGraceSeconds);
    this.pushAvailable = true;
  }

  /**
   * Refuses {@code "dispatch":"push"}: this deployment names no spoke function for the hub to
   * invoke, and a push run would never start.
   */
  public RunRequestParser withoutPush() {
    return new RunRequestParser(workers, maxTaskTimeoutSeconds, whyMaxTaskTimeout, false);
  }

  private RunRequestParser(
      WorkerCatalog workers,
      int maxTaskTimeoutSeconds,
      String whyMaxTaskTimeout,
      boolean pushAvailable) {
    this.workers = workers;
    this.maxTaskTimeoutSeconds = maxTaskTimeoutSeconds;
    this.whyMaxTaskTimeout = whyMaxTaskTimeout;
    this.pushAvailable = pushAvailable;
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
    JsonNode sourceNode = node.get("source");
    boolean hasSource = sourceNode != null && !sourceNode.isNull();
    List<String> items = List.of();
    Optional<RunSource> source = Optional.empty();
    if (hasSource && node.hasNonNull("items")) {
      errors.add(
          new FieldError(
              "source",
              "is given with items",
              "give either items (the work itself) or source (where the hub discovers it), not"
                  + " both"));
    } else if (hasSource) {
      source = source(sourceNode, errors);
    } else {
      items = items(node.get("items"), errors);
    }
    Dispatch dispatch = dispatch(node.get("dispatch"), errors);
    if (dispatch == Dispatch.PUSH && !pushAvailable) {
      errors.add(
          new FieldError(
              "dispatch",
              "push is not available: this deployment names no spoke function for the hub to"
                  + " invoke (HUBSPOKE_SPOKE_FUNCTION)",
              "use queue, hybrid or pull, or deploy with the stack, which sets it"));
    }
    String workerName =
        dispatch == Dispatch.PULL
            ? externalWorker(node.get("worker"), errors)
            : worker(node.get("worker"), errors);
    JsonNode workerConfig =
        workerConfig(
            node.get("workerConfig"), dispatch == Dispatch.PULL ? null : workerName, errors);
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
    RetryPolicy retry = retry(node.get("retry"), errors);
    RunControls controls = controls(node, errors);
    if (dispatch == Dispatch.PULL && controls.capped()) {
      errors.add(
          new FieldError(
              "maxConcurrency",
              "caps the spokes of a queue or push run; a pull run's tasks run on the workers that claim"
                  + " them",
              "remove maxConcurrency, and run as many pull workers as may work at once"));
    }
    if (dispatch == Dispatch.HYBRID && controls.capped()) {
      errors.add(
          new FieldError(
              "maxConcurrency",
              "is not supported with hybrid dispatch yet",
              "remove maxConcurrency, or use \"dispatch\":\"queue\" for a capped run"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidInputException(errors);
    }
    return new RunRequest(
        items,
        workerName,
        workerConfig,
        idempotencyKey,
        maxAttempts,
        timeout,
        source,
        retry,
        controls,
        dispatch);
  }

  /**
   * {@code toleratedFailureCount}, {@code toleratedFailurePercent} (either passed stops the run):
   * both optional, none by default; {@code maxConcurrency}: absent for no cap.
   */
  private static RunControls controls(JsonNode node, List<FieldError> errors) {
    Optional<Integer> count = Optional.empty();
    if (node.hasNonNull("toleratedFailureCount")) {
      int before = errors.size();
      int value =
          boundedInt(
              node.get("toleratedFailureCount"),
              "toleratedFailureCount",
              0,
              Limits.MAX_DISCOVERED_ITEMS,
              0,
              errors);
      count = errors.size() == before ? Optional.of(value) : Optional.empty();
    }
    Optional<Double> percent = Optional.empty();
    if (node.hasNonNull("toleratedFailurePercent")) {
      int before = errors.size();
      double value =
          boundedDouble(
              node.get("toleratedFailurePercent"), "toleratedFailurePercent", 0, 100, 0, errors);
      percent = errors.size() == before ? Optional.of(value) : Optional.empty();
    }
    int maxConcurrency =
        boundedInt(
            node.get("maxConcurrency"),
            "maxConcurrency",
            1,
            RunControls.MAX_CONCURRENCY,
            0,
            errors);
    return new RunControls(count, percent, maxConcurrency);
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
              "items",
              "is required",
              "give the work items as a JSON array, e.g. [\"a\",\"b\"], or a source that"
                  + " discovers them, e.g. {\"type\":\"range\",\"end\":100}"));
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

  /** {@code dispatch}: absent for {@link Dispatch#QUEUE}. */
  private static Dispatch dispatch(JsonNode dispatch, List<FieldError> errors) {
    String names =
        String.join(
            ", ", java.util.Arrays.stream(Dispatch.values()).map(Dispatch::wireName).toList());
    if (dispatch == null || dispatch.isNull()) {
      return Dispatch.QUEUE;
    }
    Optional<Dispatch> known =
        dispatch.isTextual() ? Dispatch.fromWire(dispatch.textValue()) : Optional.empty();
    if (known.isEmpty()) {
      errors.add(
          new FieldError(
              "dispatch",
              dispatch.isTextual()
                  ? "unknown dispatch '" + dispatch.textValue() + "'"
                  : "must be a string, not " + kind(dispatch),
              "use one of: " + names + " (queue when absent)"));
      return Dispatch.QUEUE;
    }
    return known.get();
  }

  /**
   * A pull run's {@code worker}: the name of the work its external workers do, free to choose (no
   * spoke runs it), "external" when absent.
   */
  private static String externalWorker(JsonNode worker, List<FieldError> errors) {
    if (worker == null || worker.isNull()) {
      return EXTERNAL_WORKER;
    }
    if (!worker.isTextual() || !WORKER_LABEL.matcher(worker.textValue()).matches()) {
      errors.add(
          new FieldError(
              "worker",
              worker.isTextual()
                  ? "'" + worker.textValue() + "' is not a worker name"
                  : "must be a string, not " + kind(worker),
              "name the work the pull workers do: 1 to 64 letters, digits, '.', '_', ':' or '-'"));
      return null;
    }
    return worker.textValue();
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

  private Optional<RunSource> source(JsonNode source, List<FieldError> errors) {
    String types = String.join(", ", SOURCE_TYPES);
    if (!source.isObject()) {
      errors.add(
          new FieldError(
              "source",
              "must be a JSON object, not " + kind(source),
              "give e.g. {\"type\":\"range\",\"start\":0,\"end\":100}"));
      return Optional.empty();
    }
    JsonNode type = source.get("type");
    if (type == null || type.isNull() || !type.isTextual()) {
      errors.add(
          new FieldError(
              "source.type",
              type == null || type.isNull() ? "is required" : "must be a string, not " + kind(type),
              "name one of: " + types));
      return Optional.empty();
    }
    int before = errors.size();
    Optional<RunSource> parsed =
        switch (type.textValue()) {
          case "range" -> range(source, errors);
          case "worker" -> pluginSource(source, errors);
          case "lambda" -> lambdaSource(source, errors);
          default -> {
            errors.add(
                new FieldError(
                    "source.type",
                    "unknown source type '" + type.textValue() + "'",
                    "name one of: " + types));
            yield Optional.empty();
          }
        };
    return errors.size() == before ? parsed : Optional.empty();
  }

  private static void onlyFields(JsonNode source, Set<String> allowed, List<FieldError> errors) {
    for (Iterator<String> names = source.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        errors.add(
            new FieldError(
                "source." + name,
                "unknown field for a source of type " + source.get("type").textValue(),
                "remove it; the fields are "
                    + String.join(", ", allowed.stream().sorted().toList())));
      }
    }
  }

  private static Optional<RunSource> range(JsonNode source, List<FieldError> errors) {
    onlyFields(source, Set.of("type", "start", "end", "step"), errors);
    int before = errors.size();
    long start = wholeNumber(source.get("start"), "source.start", 0L, errors);
    JsonNode endNode = source.get("end");
    if (endNode == null || endNode.isNull()) {
      errors.add(
          new FieldError(
              "source.end", "is required", "give the first number not to include, e.g. 100"));
      return Optional.empty();
    }
    long end = wholeNumber(endNode, "source.end", 0L, errors);
    long step = wholeNumber(source.get("step"), "source.step", 1L, errors);
    if (errors.size() > before) {
      return Optional.empty();
    }
    if (step < 1) {
      errors.add(new FieldError("source.step", "is " + step, "give a whole number from 1"));
      return Optional.empty();
    }
    if (end <= start) {
      errors.add(
          new FieldError(
              "source.end",
              "is " + end + ", not above start " + start,
              "give an end above start: the range is start, start + step, … below end"));
      return Optional.empty();
    }
    RunSource.Range range = new RunSource.Range(start, end, step);
    if (range.count() > Limits.MAX_DISCOVERED_ITEMS) {
      errors.add(
          new FieldError(
              "source",
              "gives "
                  + range.count()
                  + " items; a run holds at most "
                  + Limits.MAX_DISCOVERED_ITEMS,
              "narrow the range or raise step, or split it over several runs"));
      return Optional.empty();
    }
    return Optional.of(range);
  }

  private Optional<RunSource> pluginSource(JsonNode source, List<FieldError> errors) {
    onlyFields(source, Set.of("type", "name", "config"), errors);
    String known =
        workers.sourceNames().isEmpty()
            ? "none is installed: add a plug-in jar that lists one in META-INF/services/"
                + "io.hubspoke.worker.ItemSource"
            : "name one of: " + String.join(", ", workers.sourceNames());
    JsonNode name = source.get("name");
    if (name == null || name.isNull() || !name.isTextual()) {
      errors.add(
          new FieldError(
              "source.name",
              name == null || name.isNull() ? "is required" : "must be a string, not " + kind(name),
              known));
      return Optional.empty();
    }
    Optional<? extends WorkerConfigSchema> found = workers.findSource(name.textValue());
    if (found.isEmpty()) {
      errors.add(
          new FieldError("source.name", "unknown item source '" + name.textValue() + "'", known));
      return Optional.empty();
    }
    JsonNode config = sourceConfig(source.get("config"), errors);
    if (config == null) {
      return Optional.empty();
    }
    int before = errors.size();
    for (FieldError error : found.get().validateConfig(config)) {
      errors.add(new FieldError("source.config." + error.field(), error.message(), error.fix()));
    }
    return errors.size() == before
        ? Optional.of(new RunSource.Plugin(name.textValue(), config))
        : Optional.empty();
  }

  private Optional<RunSource> lambdaSource(JsonNode source, List<FieldError> errors) {
    onlyFields(source, Set.of("type", "function", "config"), errors);
    JsonNode function = source.get("function");
    Optional<? extends WorkerConfigSchema> lambda = workers.find("lambda");
    if (lambda.isEmpty()) {
      errors.add(
          new FieldError(
              "source.type",
              "lambda sources are not offered here",
              "use a source of type range or worker"));
      return Optional.empty();
    }
    // The function follows the lambda worker's rules: its name's format and the deployment's list.
    ObjectNode asWorkerConfig = Json.object();
    if (function != null) {
      asWorkerConfig.set("function", function);
    }
    int before = errors.size();
    for (FieldError error : lambda.get().validateConfig(asWorkerConfig)) {
      String field = error.field().equals("function") ? "source.function" : "source";
      errors.add(new FieldError(field, error.message(), error.fix()));
    }
    JsonNode config = sourceConfig(source.get("config"), errors);
    if (errors.size() > before || config == null) {
      return Optional.empty();
    }
    return Optional.of(new RunSource.Lambda(function.textValue(), config));
  }

  /** A source's {@code config}: an object (default empty) within the size limit; null if not. */
  private static JsonNode sourceConfig(JsonNode config, List<FieldError> errors) {
    JsonNode effective = config == null || config.isNull() ? Json.object() : config;
    if (!effective.isObject()) {
      errors.add(
          new FieldError(
              "source.config",
              "must be a JSON object, not " + kind(effective),
              "give the source's settings as an object"));
      return null;
    }
    if (Json.write(effective).getBytes(StandardCharsets.UTF_8).length
        > Limits.MAX_SOURCE_CONFIG_BYTES) {
      errors.add(
          new FieldError(
              "source.config",
              "is larger than " + Limits.MAX_SOURCE_CONFIG_BYTES + " bytes",
              "keep the source's settings small"));
      return null;
    }
    return effective;
  }

  private static long wholeNumber(
      JsonNode value, String field, long defaultValue, List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      errors.add(
          new FieldError(field, "must be a whole number, not " + kind(value), "give e.g. 100"));
      return defaultValue;
    }
    long number = value.longValue();
    // Items are JSON numbers: keep them exact in any reader's doubles.
    if (Math.abs(number) > (1L << 53)) {
      errors.add(
          new FieldError(field, "is " + number + ", too large", "give at most 2^53 in size"));
      return defaultValue;
    }
    return number;
  }

  /** {@code retry}: the backoff between attempts; every field optional, today's by default. */
  private static RetryPolicy retry(JsonNode retry, List<FieldError> errors) {
    if (retry == null || retry.isNull()) {
      return RetryPolicy.DEFAULT;
    }
    if (!retry.isObject()) {
      errors.add(
          new FieldError(
              "retry",
              "must be a JSON object, not " + kind(retry),
              "give e.g. {\"initialDelaySeconds\":5,\"multiplier\":2,\"maxDelaySeconds\":300,"
                  + "\"jitter\":0.5}"));
      return RetryPolicy.DEFAULT;
    }
    Set<String> fields = Set.of("initialDelaySeconds", "multiplier", "maxDelaySeconds", "jitter");
    for (Iterator<String> names = retry.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        errors.add(
            new FieldError(
                "retry." + name,
                "unknown field",
                "remove it; the fields are "
                    + String.join(", ", fields.stream().sorted().toList())));
      }
    }
    RetryPolicy d = RetryPolicy.DEFAULT;
    int initial =
        boundedInt(
            retry.get("initialDelaySeconds"),
            "retry.initialDelaySeconds",
            0,
            RetryPolicy.MAX_DELAY_SECONDS,
            d.initialDelaySeconds(),
            errors);
    int max =
        boundedInt(
            retry.get("maxDelaySeconds"),
            "retry.maxDelaySeconds",
            0,
            RetryPolicy.MAX_DELAY_SECONDS,
            d.maxDelaySeconds(),
            errors);
    double multiplier =
        boundedDouble(
            retry.get("multiplier"),
            "retry.multiplier",
            1,
            RetryPolicy.MAX_MULTIPLIER,
            d.multiplier(),
            errors);
    double jitter = boundedDouble(retry.get("jitter"), "retry.jitter", 0, 1, d.jitter(), errors);
    return new RetryPolicy(initial, multiplier, max, jitter);
  }

  static double boundedDouble(
      JsonNode value,
      String field,
      double min,
      double max,
      double defaultValue,
      List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    String fix = "give a number from " + stripped(min) + " to " + stripped(max);
    if (!value.isNumber()) {
      errors.add(new FieldError(field, "must be a number, not " + kind(value), fix));
      return defaultValue;
    }
    double number = value.doubleValue();
    if (!(number >= min && number <= max)) {
      errors.add(new FieldError(field, "is " + value.asText() + ", out of range", fix));
      return defaultValue;
    }
    return number;
  }

  private static String stripped(double number) {
    return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
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

  public static int boundedInt(
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
