package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.event.ruler.Machine;

/**
 * A local stand-in for one EventBridge event bus. Functions publish with the real {@code
 * EventBridgeClient} pointed here ({@code endpointOverride} / AWS_ENDPOINT_URL_EVENTBRIDGE): the
 * bus speaks the PutEvents wire protocol ({@code POST /}, {@code X-Amz-Target:
 * AWSEvents.PutEvents}, {@code application/x-amz-json-1.1}), validates entries the way EventBridge
 * does, wraps each accepted entry in the EventBridge envelope and matches it against rules with
 * Event Ruler, the library EventBridge's own matching is published as, so local patterns mean what
 * they mean on AWS.
 *
 * <p>Matched events are delivered to targets asynchronously and at least once: a failed delivery is
 * retried with exponential backoff up to {@link RetryPolicy#maxAttempts()} and then kept in {@link
 * #deadLetters()}. On AWS an EventBridge rule invokes a Lambda target asynchronously, and the
 * function's errors are retried by Lambda's asynchronous invocation (two retries by default, so
 * three attempts), which is what the default policy mirrors, with shorter waits. The signature of
 * requests is not checked.
 */
public final class LocalEventBus implements AutoCloseable {
  /** EventBridge's limit of entries per PutEvents call. */
  public static final int MAX_ENTRIES = 10;

  /** EventBridge's limit on the summed size of a PutEvents call's entries (256 KiB). */
  public static final int MAX_REQUEST_BYTES = 256 * 1024;

  private static final String TARGET = "AWSEvents.PutEvents";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  /** How failed deliveries are retried: attempt n+1 waits initial × multiplier^(n-1), capped. */
  public record RetryPolicy(
      int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
    public RetryPolicy {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      if (initialBackoff.isNegative() || maxBackoff.isNegative() || multiplier < 1.0) {
        throw new IllegalArgumentException("backoff must be non-negative and non-shrinking");
      }
    }

    /** Three attempts (Lambda's asynchronous invocation retries twice), 100 ms doubling to 2 s. */
    public static RetryPolicy defaults() {
      return new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(2));
    }

    /** Wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed. */
    public Duration backoffAfter(int attempt) {
      double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 1);
      return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
  }

  /** A delivery that exhausted its retries (or was refused by an interceptor as final). */
  public record DeadLetter(String ruleName, String eventJson, int attempts, Throwable lastError) {}

  /**
   * Fault-injection seam: consulted before every delivery attempt. Unused unless set on the
   * builder; the default delivers every attempt.
   */
  @FunctionalInterface
  public interface DeliveryInterceptor {
    Decision beforeAttempt(String ruleName, String eventJson, int attempt);

    enum Decision {
      /** Deliver normally. */
      DELIVER,
      /** Deliver, and deliver a second, independent copy (an at-least-once duplicate). */
      DUPLICATE,
      /** Count this attempt as failed without calling the target: it is retried per policy. */
      FAIL,
      /** Lose the delivery silently (neither delivered nor dead-lettered). */
      DROP
    }

    DeliveryInterceptor NONE = (rule, event, attempt) -> Decision.DELIVER;
  }

  private record Rule(String name, LocalEventTarget target, InputTransformer transformer) {
    /** What the target receives for {@code event}: the event itself, or its transformation. */
    String input(String event, String ruleArn) {
      return transformer == null ? event : transformer.render(event, name, ruleArn);
    }
  }

  /**
   * A rule target's {@code InputTransformer}, as CloudFormation declares it ({@code InputPathsMap},
   * {@code InputTemplate}), rendered as EventBridge renders it: each {@code <name>} of the template
   * is replaced by the value its path selects in the event, as JSON where it stands outside a
   * string (a string value gets its quotes) and as the bare text inside a string. Paths take the
   * dot notation with array indices ({@code $.detail.items[0]}); the reserved {@code
   * aws.events.rule-name}, {@code aws.events.rule-arn}, {@code aws.events.event.ingestion-time},
   * {@code aws.events.event} and {@code aws.events.event.json} are known. A path the event lacks
   * renders as {@code null} (an empty text inside a string).
   */
  public record InputTransformer(Map<String, String> inputPathsMap, String inputTemplate) {
    private static final java.util.regex.Pattern PATH =
        java.util.regex.Pattern.compile("\\$((\\.[A-Za-z0-9_/-]+)|(\\[[0-9]+\\]))*");
    private static final java.util.regex.Pattern STEP =
        java.util.regex.Pattern.compile("\\.([A-Za-z0-9_/-]+)|\\[([0-9]+)\\]");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public InputTransformer {
      inputPathsMap = Map.copyOf(inputPathsMap);
      Objects.requireNonNull(inputTemplate, "inputTemplate");
      for (Map.Entry<String, String> path : inputPathsMap.entrySet()) {
        if (!PATH.matcher(path.getValue()).matches()) {
          throw new IllegalArgumentException(
              "InputPathsMap."
                  + path.getKey()
                  + ": '"
                  + path.getValue()
                  + "' is not a path this local bus supports (dot notation and [index] only)");
        }
        if (path.getKey().startsWith("aws.events.")) {
          throw new IllegalArgumentException(
              "InputPathsMap." + path.getKey() + ": aws.events.* names are reserved");
        }
      }
    }

    /** From the {@code InputTransformer} object of a synthesized template's rule target. */
    public static InputTransformer fromTemplate(JsonNode transformer) {
      Map<String, String> paths = new java.util.LinkedHashMap<>();
      transformer
          .path("InputPathsMap")
          .fields()
          .forEachRemaining(e -> paths.put(e.getKey(), e.getValue().asText()));
      JsonNode template = transformer.get("InputTemplate");
      if (template == null || !template.isTextual()) {
        throw new IllegalArgumentException("InputTransformer has no InputTemplate string");
      }
      return new InputTransformer(paths, template.asText());
    }

    /** The target's input for {@code eventJson}, delivered by rule {@code ruleName}. */
    public String render(String eventJson, String ruleName, String ruleArn) {
      JsonNode event;
      try {
        event = MAPPER.readTree(eventJson);
      } catch (IOException e) {
        throw new IllegalArgumentException("the event is not JSON", e);
      }
      StringBuilder out = new StringBuilder();
      boolean inString = false;
      for (int i = 0; i < inputTemplate.length(); i++) {
        char c = inputTemplate.charAt(i);
        if (inString && c == '\\' && i + 1 < inputTemplate.length()) {
          out.append(c).append(inputTemplate.charAt(++i));
          continue;
        }
        if (c == '"') {
          inString = !inString;
        }
        int close = c == '<' ? inputTemplate.indexOf('>', i) : -1;
        String name = close > i ? inputTemplate.substring(i + 1, close) : null;
        JsonNode value = name == null ? null : variable(name, event, ruleName, ruleArn);
        if (value == null) {
          out.append(c);
          continue;
        }
        if (!inString) {
          out.append(value.isMissingNode() ? "null" : value.toString());
        } else if (!value.isMissingNode() && !value.isNull()) {
          String text = value.isTextual() ? value.asText() : value.toString();
          String quoted = new com.fasterxml.jackson.databind.node.TextNode(text).toString();
          out.append(quoted, 1, quoted.length() - 1); // escaped, so the input stays JSON
        }
        i = close;
      }
      return out.toString();
    }

    /** The value of {@code <name>}, or null if the template's text is not a variable. */
    private JsonNode variable(String name, JsonNode event, String ruleName, String ruleArn) {
      switch (name) {
        case "aws.events.rule-name":
          return MAPPER.getNodeFactory().textNode(ruleName);
        case "aws.events.rule-arn":
          return MAPPER.getNodeFactory().textNode(ruleArn);
        case "aws.events.event.ingestion-time":
          return event.path("time");
        case "aws.events.event.json":
          return event;
        case "aws.events.event":
          return ((ObjectNode) event.deepCopy()).without("detail");
        default:
          String path = inputPathsMap.get(name);
          if (path == null) {
            return null;
          }
          JsonNode node = event;
          java.util.regex.Matcher step = STEP.matcher(path.substring(1));
          while (step.find() && !node.isMissingNode()) {
            node =
                step.group(1) != null
                    ? node.path(step.group(1))
                    : node.path(Integer.parseInt(step.group(2)));
          }
          return node;
      }
    }
  }

  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final String busName;
  private final String busArn;
  private final String region;
  private final RetryPolicy retryPolicy;
  private final DeliveryInterceptor interceptor;
  private final Machine machine = new Machine();
  private final Map<String, Rule> rules = new ConcurrentHashMap<>();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final AtomicLong delivered = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private long pending; // deliveries scheduled, in flight or waiting for a retry; guarded by lock
  private final HttpServer server;
  private final ExecutorService httpThreads;
  private final ScheduledExecutorService deliveryThreads;
  private final URI endpoint;

  private LocalEventBus(Builder b) throws IOException {
    this.busName = Objects.requireNonNull(b.busName, "busName");
    this.region = b.region;
    this.busArn =
        "arn:aws:events:"
            + region
            + ":"
            + LocalLambdaContext.LOCAL_ACCOUNT_ID
            + ":event-bus/"
            + busName;
    this.retryPolicy = b.retryPolicy;
    this.interceptor = b.interceptor;
    warmUp();
    this.deliveryThreads =
        Executors.newScheduledThreadPool(
            b.deliveryThreads, new DaemonThreads("event-bus-delivery"));
    this.httpThreads = Executors.newFixedThreadPool(2, new DaemonThreads("event-bus-http"));
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 0);
    server.setExecutor(httpThreads);
    server.createContext("/", this::handle);
    server.start();
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Event Ruler's first match costs ~400 ms (class loading, parser set-up): pay it at start. */
  private static void warmUp() {
    try {
      Machine warm = new Machine();
      warm.addRule(
          "warm-up", "{\"source\":[\"warm\"],\"detail\":{\"n\":[{\"numeric\":[\">\",0]}]}}");
      warm.rulesForJSONEvent("{\"source\":\"warm\",\"detail\":{\"n\":1}}");
    } catch (Exception e) {
      throw new IllegalStateException("Event Ruler failed its warm-up", e);
    }
  }

  /**
   * Adds a rule: events matching {@code patternJson} (EventBridge pattern syntax) go to {@code
   * target}. Rule names are unique on a bus, as on AWS.
   */
  public void addRule(String name, String patternJson, LocalEventTarget target) {
    Objects.requireNonNull(target, "target");
    if (rules.putIfAbsent(name, new Rule(name, target, null)) != null) {
      throw new IllegalArgumentException("rule " + name + " already exists on bus " + busName);
    }
    try {
      machine.addRule(name, patternJson);
    } catch (Exception e) {
      rules.remove(name);
      throw new IllegalArgumentException("invalid event pattern for rule " + name, e);
    }
  }

  /**
   * Adds a scheduled rule (a rule with a {@code ScheduleExpression} and no pattern) whose target
   * receives the firing's event through {@code transformer}, as the stack's scheduled runs do.
   * Nothing fires it on a clock: {@link #fire} does, when a test or the runtime decides.
   */
  public void addScheduledRule(String name, InputTransformer transformer, LocalEventTarget target) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(transformer, "transformer");
    if (rules.putIfAbsent(name, new Rule(name, target, transformer)) != null) {
      throw new IllegalArgumentException("rule " + name + " already exists on bus " + busName);
    }
  }

  /**
   * One firing of scheduled rule {@code name} at {@code time}: EventBridge's {@code Scheduled
   * Event} from {@code aws.events}, with the rule's ARN in {@code resources}, goes through the
   * rule's input transformer to its target, with the same at-least-once delivery (interceptor,
   * retries, dead letters) as a matched event. The schedule's events are not put on the bus, as on
   * AWS.
   */
  public void fire(String name, Instant time) {
    Rule rule = rules.get(name);
    if (rule == null || rule.transformer() == null) {
      throw new IllegalArgumentException("no scheduled rule " + name + " on bus " + busName);
    }
    ObjectNode event = json.createObjectNode();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "Scheduled Event");
    event.put("source", "aws.events");
    event.put("account", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS)));
    event.put("region", region);
    event.putArray("resources").add(ruleArn(name));
    event.putObject("detail");
    try {
      schedule(rule, json.writeValueAsString(event), 1, Duration.ZERO, true);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The ARN rule {@code name} would have on AWS. Schedule expressions exist only on an account's
   * default bus, so a scheduled rule's ARN names no bus.
   */
  public String ruleArn(String name) {
    Rule rule = rules.get(name);
    boolean scheduled = rule != null && rule.transformer() != null;
    return "arn:aws:events:"
        + region
        + ":"
        + LocalLambdaContext.LOCAL_ACCOUNT_ID
        + ":rule/"
        + (scheduled ? "" : busName + "/")
        + name;
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride} or the endpoint variable. */
  public URI endpoint() {
    return endpoint;
  }

  public String busName() {
    return busName;
  }

  public String busArn() {
    return busArn;
  }

  /** Every accepted event's envelope, in acceptance order, matched or not. */
  public List<String> publishedEvents() {
    return List.copyOf(published);
  }

  public List<DeadLetter> deadLetters() {
    return List.copyOf(deadLetters);
  }

  /** Deliveries that reached a target and returned normally (duplicates included). */
  public long deliveredCount() {
    return delivered.get();
  }

  /**
   * Waits until no delivery is pending, in flight or waiting for a retry.
   *
   * @return true if the bus became idle within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (pending > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    httpThreads.shutdownNow();
    deliveryThreads.shutdownNow();
  }

  // ---- PutEvents ---------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (!"POST".equals(exchange.getRequestMethod()) || !TARGET.equals(target)) {
        respond(
            exchange,
            400,
            error("UnknownOperationException", "Only " + TARGET + " is served: " + target));
        return;
      }
      ObjectNode result;
      try {
        result = putEvents(body);
      } catch (ValidationException e) {
        respond(exchange, 400, error("ValidationException", e.getMessage()));
        return;
      }
      respond(exchange, 200, result);
    }
  }

  private static final class ValidationException extends Exception {
    ValidationException(String message) {
      super(message);
    }
  }

  private ObjectNode putEvents(byte[] body) throws ValidationException {
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ValidationException("Request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ValidationException("Request body could not be read: " + e.getMessage());
    }
    if (request == null || !request.isObject()) {
      throw new ValidationException("Request body must be a JSON object");
    }
    JsonNode entries = request.get("Entries");
    if (entries == null || entries.isNull()) {
      throw new ValidationException(
          "1 validation error detected: Value null at 'entries' failed to satisfy constraint:"
              + " Member must not be null");
    }
    if (!entries.isArray()) {
      throw new ValidationException("Entries must be a list");
    }
    if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
      throw new ValidationException(
          "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member"
              + " must have length "
              + (entries.isEmpty() ? "greater than or equal to 1" : "less than or equal to 10"));
    }
    long size = 0;
    for (JsonNode entry : entries) {
      if (!entry.isObject()) {
        throw new ValidationException("Each entry must be a JSON object");
      }
      size += entrySize(entry);
    }
    if (size > MAX_REQUEST_BYTES) {
      throw new ValidationException("Total size of the entries in the request is over the limit.");
    }

    ObjectNode response = json.createObjectNode();
    ArrayNode results = response.putArray("Entries");
    int failed = 0;
    List<String> accepted = new ArrayList<>();
    for (JsonNode entry : entries) {
      ObjectNode result = results.addObject();
      String problem = validate(entry, result);
      if (problem != null) {
        failed++;
        continue;
      }
      String id = UUID.randomUUID().toString();
      accepted.add(envelope(id, entry));
      result.put("EventId", id);
    }
    response.put("FailedEntryCount", failed);
    for (String event : accepted) {
      route(event);
    }
    return response;
  }

  /** EventBridge's documented entry size: Source, DetailType, Detail, Resources, 14 for Time. */
  private static long entrySize(JsonNode entry) {
    long size = entry.hasNonNull("Time") ? 14 : 0;
    size += utf8Length(entry.path("Source").asText(""));
    size += utf8Length(entry.path("DetailType").asText(""));
    size += utf8Length(entry.path("Detail").asText(""));
    for (JsonNode resource : entry.path("Resources")) {
      size += utf8Length(resource.asText(""));
    }
    return size;
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Fills {@code result} with ErrorCode/ErrorMessage and returns the code if the entry fails. */
  private String validate(JsonNode entry, ObjectNode result) {
    for (String field : List.of("Source", "DetailType", "Detail")) {
      JsonNode value = entry.get(field);
      if (value == null || !value.isTextual() || value.asText().isEmpty()) {
        return fail(
            result,
            "InvalidArgument",
            "Parameter " + field + " is not valid. Reason: " + field + " is a required argument.");
      }
    }
    String bus = entry.path("EventBusName").asText("");
    if (!bus.isEmpty() && !bus.equals(busName) && !bus.equals(busArn)) {
      return fail(result, "ResourceNotFoundException", "Event bus " + bus + " does not exist.");
    }
    try {
      JsonNode detail = json.readTree(entry.get("Detail").asText());
      if (detail == null || !detail.isObject()) {
        return fail(result, "MalformedDetail", "Detail is malformed.");
      }
    } catch (IOException e) {
      return fail(result, "MalformedDetail", "Detail is malformed.");
    }
    return null;
  }

  private static String fail(ObjectNode result, String code, String message) {
    result.put("ErrorCode", code);
    result.put("ErrorMessage", message);
    return code;
  }

  /** The event as a target receives it; field order follows EventBridge's. */
  private String envelope(String id, JsonNode entry) {
    Instant time = Instant.now();
    JsonNode t = entry.get("Time");
    if (t != null && t.isNumber()) {
      time = Instant.ofEpochMilli((long) (t.asDouble() * 1000));
    }
    ObjectNode event = json.createObjectNode();
    event.put("version", "0");
    event.put("id", id);
    event.put("detail-type", entry.get("DetailType").asText());
    event.put("source", entry.get("Source").asText());
    event.put("account", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS)));
    event.put("region", region);
    ArrayNode resources = event.putArray("resources");
    entry.path("Resources").forEach(r -> resources.add(r.asText()));
    try {
      event.set("detail", json.readTree(entry.get("Detail").asText()));
      return json.writeValueAsString(event);
    } catch (IOException e) {
      throw new IllegalStateException("validated detail failed to parse", e);
    }
  }

  private void route(String event) {
    published.add(event);
    List<String> matched;
    try {
      matched = machine.rulesForJSONEvent(event);
    } catch (Exception e) {
      throw new IllegalStateException("Event Ruler could not match an event it was given", e);
    }
    for (String ruleName : matched) {
      Rule rule = rules.get(ruleName);
      if (rule != null) {
        schedule(rule, event, 1, Duration.ZERO, true);
      }
    }
  }

  // ---- delivery ------------------------------------------------------------------------------

  private void schedule(Rule rule, String event, int attempt, Duration delay, boolean isNew) {
    if (isNew) {
      changePending(+1);
    }
    try {
      deliveryThreads.schedule(
          () -> attempt(rule, event, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejected) {
      changePending(-1); // the bus is closing
    }
  }

  private void attempt(Rule rule, String event, int attempt) {
    Throwable failure;
    try {
      switch (interceptor.beforeAttempt(rule.name(), event, attempt)) {
        case DROP -> {
          changePending(-1);
          return;
        }
        case FAIL -> throw new IllegalStateException("delivery failed by interceptor");
        case DUPLICATE -> schedule(rule, event, 1, Duration.ZERO, true);
        case DELIVER -> {}
      }
      rule.target().deliver(rule.input(event, ruleArn(rule.name())));
      delivered.incrementAndGet();
      changePending(-1);
      return;
    } catch (Throwable t) {
      failure = t;
    }
    if (attempt >= retryPolicy.maxAttempts()) {
      deadLetters.add(new DeadLetter(rule.name(), event, attempt, failure));
      changePending(-1);
    } else {
      schedule(rule, event, attempt + 1, retryPolicy.backoffAfter(attempt), false);
    }
  }

  private void changePending(int delta) {
    lock.lock();
    try {
      pending += delta;
      if (pending == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private ObjectNode error(String type, String message) {
    ObjectNode error = json.createObjectNode();
    error.put("__type", type);
    error.put("message", message);
    return error;
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public static final class Builder {
    private String busName;
    private String region = "us-east-1";
    private int port;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private DeliveryInterceptor interceptor = DeliveryInterceptor.NONE;
    private int deliveryThreads = 4;

    private Builder() {}

    /** The bus name functions put to (HUBSPOKE_EVENT_BUS_NAME); entries may also omit it. */
    public Builder busName(String busName) {
      this.busName = busName;
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region);
      return this;
    }

    /** 0 (the default) binds an ephemeral port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy);
      return this;
    }

    public Builder interceptor(DeliveryInterceptor interceptor) {
      this.interceptor = Objects.requireNonNull(interceptor);
      return this;
    }

    /** Threads running target deliveries (and so, locally, collector invocations) at once. */
    public Builder deliveryThreads(int deliveryThreads) {
      if (deliveryThreads < 1) {
        throw new IllegalArgumentException("deliveryThreads must be at least 1");
      }
      this.deliveryThreads = deliveryThreads;
      return this;
    }

    public LocalEventBus start() {
      try {
        return new LocalEventBus(this);
      } catch (IOException e) {
        throw new IllegalStateException("local event bus could not bind its port", e);
      }
    }
  }
}
