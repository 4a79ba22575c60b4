package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.workers.LambdaFunctionName;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Lambda: an HTTP endpoint speaking the Invoke REST API ({@code POST
 * /2015-03-31/functions/{FunctionName}/invocations}), so the real SDK {@code LambdaClient}, pointed
 * here by {@code AWS_ENDPOINT_URL_LAMBDA}, invokes local functions exactly as it invokes deployed
 * ones. It hosts {@link LocalFunction}s (a command in any language, or a Java handler class).
 *
 * <p>What it reproduces: synchronous ({@code RequestResponse}) and {@code DryRun} invocations; the
 * function named by name, ARN or partial ARN (resolved by its name, whatever the ARN's account and
 * region, so a config written for AWS runs here unchanged), with a qualifier in the name or the
 * {@code Qualifier} parameter ({@code $LATEST} or one of the function's aliases); {@code
 * X-Amz-Function-Error: Unhandled} with the error object for a function error; the function timeout
 * (Lambda's {@code Sandbox.Timedout} "Task timed out after" error); reserved concurrency (429
 * {@code TooManyRequestsException} beyond it); Lambda's 6 MB limits (413 {@code
 * RequestTooLargeException} for a larger request, {@code Function.ResponseSizeTooLarge} for a
 * larger response); 404 {@code ResourceNotFoundException} for an unknown function or qualifier; 400
 * {@code InvalidRequestContentException} for a payload that is not JSON. Execution environments are
 * reused, one invocation at a time each, and thrown away after a timeout.
 *
 * <p>Asynchronous ({@code Event}) invocations as Lambda queues them: 202 at once (413 for a payload
 * over {@link #MAX_ASYNC_PAYLOAD_BYTES}), the function run in the background, an invocation beyond
 * the reserved concurrency waiting for a free one (Lambda retries a throttled event for hours), a
 * function error (timeouts included) retried twice after {@link Builder#eventRetryDelays} (Lambda:
 * about one, then two minutes), then the event sent to the function's on-failure destination with
 * Lambda's record ({@code requestContext.condition} {@code RetriesExhausted}, {@code
 * requestPayload}, {@code responsePayload}). {@link Builder#eventInterceptor} is the fault seam: it
 * may drop an accepted event (lost) or refuse the request (429, 500).
 *
 * <p>Not emulated: signatures and IAM (every request is accepted), an event's maximum age, log
 * tails, versions other than {@code $LATEST}.
 */
public final class LocalLambdaEndpoint implements AutoCloseable {
  public static final String API_PREFIX = "/2015-03-31/functions/";
  private static final Pattern INVOKE_PATH =
      Pattern.compile("/2015-03-31/functions/([^/]+)/invocations/?");

  private final Map<String, Hosted> functions = new LinkedHashMap<>();
  private final String region;
  private final Clock clock;
  private final Consumer<String> logSink;
  private final HttpServer server;
  private final ExecutorService exchangeThreads;
  private final ExecutorService invocationThreads;
  private final ExecutorService eventThreads;
  private final ScheduledExecutorService eventRetries;
  private final List<Duration> eventRetryDelays;
  private final EventInterceptor eventInterceptor;
  private final Map<String, Consumer<String>> onFailure;
  private final URI endpoint;

  /** Lambda's limit on an asynchronous invocation's payload: 256 KB. */
  public static final int MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;

  /** Lambda's delays before its two retries of an event whose invocation failed. */
  public static final List<Duration> AWS_EVENT_RETRY_DELAYS =
      List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

  /** What becomes of an {@code Event} invocation: the seam for lost and refused ones. */
  @FunctionalInterface
  public interface EventInterceptor {
    Fate fate(String functionName, byte[] payload);

    enum Fate {
      /** Queued and run, as Lambda does. */
      ACCEPT,
      /** Answered 202 and never run: an asynchronous invocation lost on the way. */
      DROP,
      /** Refused with 429 TooManyRequestsException (nothing queued). */
      THROTTLE,
      /** Refused with 500 ServiceException (nothing queued). */
      FAIL
    }
  }

  /** A function, its idle execution environments, its invocations in flight and its figures. */
  private static final class Hosted {
    final LocalFunction function;
    final Deque<FunctionCode.ExecutionEnvironment> idle = new ConcurrentLinkedDeque<>();
    final Semaphore concurrency;
    final LongAdder invocations = new LongAdder();
    final LongAdder billedMillis = new LongAdder(); // each invocation rounded up to 1 ms
    final LongAdder eventsAccepted = new LongAdder();
    final LongAdder eventsDropped = new LongAdder();
    final LongAdder eventsRefused = new LongAdder();
    final LongAdder eventRetries = new LongAdder();
    final LongAdder eventsSucceeded = new LongAdder();
    final LongAdder eventsSentOnFailure = new LongAdder();
    final LongAdder throttles = new LongAdder();
    final LongAdder functionErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder coldStarts = new LongAdder();

    Hosted(LocalFunction function) {
      this.function = function;
      this.concurrency =
          function.reservedConcurrency() > 0
              ? new Semaphore(function.reservedConcurrency(), true)
              : null;
    }
  }

  /**
   * What happened to a function's invocations since the start: invocations that ran, requests
   * refused with 429, function errors (timeouts included) and timeouts, new environments, and their
   * run time, each invocation rounded up to the millisecond as Lambda bills it.
   */
  public record FunctionStats(
      long invocations,
      long throttles,
      long functionErrors,
      long timeouts,
      long coldStarts,
      long billedMillis) {}

  /**
   * What became of a function's {@code Event} invocations: accepted (202), of which dropped by the
   * interceptor; refused by it (429/500); retries after a function error; events whose invocation
   * succeeded; events sent to the on-failure destination after their retries.
   */
  public record EventStats(
      long accepted, long dropped, long refused, long retries, long succeeded, long sentOnFailure) {
    /** Accepted events that have not ended yet (running, waiting for a retry or a free slot). */
    public long pending() {
      return accepted - dropped - succeeded - sentOnFailure;
    }
  }

  private LocalLambdaEndpoint(Builder b) throws IOException {
    for (LocalFunction function : b.functions) {
      if (functions.putIfAbsent(function.name(), new Hosted(function)) != null) {
        throw new IllegalArgumentException("two local functions are named " + function.name());
      }
    }
    this.region = b.region;
    this.clock = b.clock;
    this.logSink = b.logSink;
    this.exchangeThreads = Executors.newCachedThreadPool(new DaemonThreads("lambda-api"));
    this.invocationThreads = Executors.newCachedThreadPool(new DaemonThreads("lambda-function"));
    this.eventThreads = Executors.newCachedThreadPool(new DaemonThreads("lambda-event"));
    this.eventRetries =
        Executors.newSingleThreadScheduledExecutor(new DaemonThreads("lambda-event-retry"));
    this.eventRetryDelays = List.copyOf(b.eventRetryDelays);
    this.eventInterceptor = b.eventInterceptor;
    this.onFailure = Map.copyOf(b.onFailure);
    for (String name : onFailure.keySet()) {
      if (!functions.containsKey(name)) {
        throw new IllegalArgumentException("an on-failure destination for no function: " + name);
      }
    }
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 0);
    server.setExecutor(exchangeThreads);
    server.createContext("/", this::handle);
    server.start();
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** For {@code AWS_ENDPOINT_URL_LAMBDA}. */
  public URI endpoint() {
    return endpoint;
  }

  /** The hosted functions' names, in the order they were given. */
  public List<String> functionNames() {
    return List.copyOf(functions.keySet());
  }

  public FunctionStats stats(String functionName) {
    Hosted hosted = hosted(functionName);
    return new FunctionStats(
        hosted.invocations.sum(),
        hosted.throttles.sum(),
        hosted.functionErrors.sum(),
        hosted.timeouts.sum(),
        hosted.coldStarts.sum(),
        hosted.billedMillis.sum());
  }

  public EventStats eventStats(String functionName) {
    Hosted hosted = hosted(functionName);
    return new EventStats(
        hosted.eventsAccepted.sum(),
        hosted.eventsDropped.sum(),
        hosted.eventsRefused.sum(),
        hosted.eventRetries.sum(),
        hosted.eventsSucceeded.sum(),
        hosted.eventsSentOnFailure.sum());
  }

  private Hosted hosted(String functionName) {
    Hosted hosted = functions.get(functionName);
    if (hosted == null) {
      throw new IllegalArgumentException("no local function is named " + functionName);
    }
    return hosted;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    try (exchange) {
      exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
      Matcher path = INVOKE_PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!path.matches() || !"POST".equals(exchange.getRequestMethod())) {
        error(
            exchange,
            404,
            "UnknownOperationException",
            "the local Lambda endpoint answers Invoke only (POST "
                + API_PREFIX
                + "{FunctionName}/invocations)");
        return;
      }
      String functionName = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
      LambdaFunctionName name;
      try {
        name = LambdaFunctionName.parse(functionName);
      } catch (LambdaFunctionName.InvalidFunctionNameException e) {
        error(
            exchange,
            400,
            "ValidationException",
            "1 validation error detected: Value '"
                + functionName
                + "' at 'functionName' failed to satisfy constraint: it "
                + e.getMessage());
        return;
      }
      String qualifier = queryParameter(exchange.getRequestURI(), "Qualifier");
      if (qualifier != null && name.qualifier() != null && !qualifier.equals(name.qualifier())) {
        error(
            exchange,
            400,
            "InvalidParameterValueException",
            "The derived qualifier from the function name does not match the specified qualifier.");
        return;
      }
      if (qualifier == null) {
        qualifier = name.qualifier();
      }
      Hosted hosted = functions.get(name.name());
      if (hosted == null || !hosted.function.answersTo(qualifier)) {
        error(
            exchange,
            404,
            "ResourceNotFoundException",
            "Function not found: " + arn(name.name()) + (qualifier == null ? "" : ":" + qualifier));
        return;
      }
      String invocationType =
          Objects.requireNonNullElse(
              exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"), "RequestResponse");
      if (!invocationType.equals("RequestResponse")
          && !invocationType.equals("DryRun")
          && !invocationType.equals("Event")) {
        error(
            exchange,
            400,
            "InvalidParameterValueException",
            "1 validation error detected: Value '"
                + invocationType
                + "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum"
                + " value set: [Event, RequestResponse, DryRun]");
        return;
      }
      byte[] event = readCapped(exchange.getRequestBody(), LambdaWorkerConfig.MAX_PAYLOAD_BYTES);
      if (event == null) {
        error(
            exchange,
            413,
            "RequestTooLargeException",
            "Request must be smaller than "
                + LambdaWorkerConfig.MAX_PAYLOAD_BYTES
                + " bytes for the InvokeFunction operation");
        return;
      }
      if (event.length == 0) {
        event = "{}".getBytes(StandardCharsets.UTF_8);
      } else {
        try {
          Json.parse(new String(event, StandardCharsets.UTF_8));
        } catch (IOException e) {
          error(
              exchange,
              400,
              "InvalidRequestContentException",
              "Could not parse request body into json: "
                  + e.getMessage().lines().findFirst().orElse(""));
          return;
        }
      }
      if (invocationType.equals("DryRun")) {
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      if (invocationType.equals("Event")) {
        queueEvent(exchange, hosted, event, requestId);
        return;
      }
      if (hosted.concurrency != null && !hosted.concurrency.tryAcquire()) {
        hosted.throttles.increment();
        ObjectNode body = Json.object();
        body.put("Reason", "ReservedFunctionConcurrentInvocationLimitExceeded");
        body.put("Type", "User");
        body.put("message", "Rate Exceeded.");
        send(exchange, 429, "TooManyRequestsException", Json.write(body));
        return;
      }
      FunctionResponse response;
      try {
        response = invoke(hosted, event, requestId);
      } finally {
        if (hosted.concurrency != null) {
          hosted.concurrency.release();
        }
      }
      if (response.payload().length > LambdaWorkerConfig.MAX_PAYLOAD_BYTES) {
        response =
            FunctionResponse.error(
                "Function.ResponseSizeTooLarge",
                "Response payload size exceeded maximum allowed payload size ("
                    + LambdaWorkerConfig.MAX_PAYLOAD_BYTES
                    + " bytes).");
      }
      if (response.functionError()) {
        hosted.functionErrors.increment();
        exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
      }
      exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, response.payload().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.payload());
      }
    } catch (IOException e) {
      // The caller went away (e.g. its own deadline passed): there is no one left to answer.
    }
  }

  /**
   * An {@code Event} invocation: checked for Lambda's asynchronous payload limit, passed by the
   * interceptor, answered 202 and run in the background.
   */
  private void queueEvent(HttpExchange exchange, Hosted hosted, byte[] event, String requestId)
      throws IOException {
    if (event.length > MAX_ASYNC_PAYLOAD_BYTES) {
      error(
          exchange,
          413,
          "RequestTooLargeException",
          "Request must be smaller than "
              + MAX_ASYNC_PAYLOAD_BYTES
              + " bytes for the InvokeFunction operation");
      return;
    }
    String name = hosted.function.name();
    EventInterceptor.Fate fate = eventInterceptor.fate(name, event);
    switch (fate) {
      case THROTTLE -> {
        hosted.eventsRefused.increment();
        ObjectNode body = Json.object();
        body.put("Reason", "ReservedFunctionConcurrentInvocationLimitExceeded");
        body.put("Type", "User");
        body.put("message", "Rate Exceeded.");
        send(exchange, 429, "TooManyRequestsException", Json.write(body));
        return;
      }
      case FAIL -> {
        hosted.eventsRefused.increment();
        error(exchange, 500, "ServiceException", "the local Lambda service failed (injected)");
        return;
      }
      case DROP -> {
        hosted.eventsAccepted.increment();
        hosted.eventsDropped.increment();
      }
      case ACCEPT -> {
        hosted.eventsAccepted.increment();
        PendingEvent pending = new PendingEvent(hosted, event, requestId);
        eventThreads.execute(() -> runEvent(pending));
      }
    }
    exchange.sendResponseHeaders(202, -1);
  }

  /** An accepted event and how many times it was invoked. */
  private static final class PendingEvent {
    final Hosted hosted;
    final byte[] payload;
    final String requestId;
    int invocations;

    PendingEvent(Hosted hosted, byte[] payload, String requestId) {
      this.hosted = hosted;
      this.payload = payload;
      this.requestId = requestId;
    }
  }

  /**
   * One invocation of an event, once a slot of the reserved concurrency is free; after a function
   * error, the next retry is scheduled, or the event goes to the on-failure destination.
   */
  private void runEvent(PendingEvent pending) {
    Hosted hosted = pending.hosted;
    FunctionResponse response;
    try {
      if (hosted.concurrency != null) {
        hosted.concurrency.acquire();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // the endpoint is closing
    }
    try {
      pending.invocations++;
      response = invoke(hosted, pending.payload, pending.requestId);
    } finally {
      if (hosted.concurrency != null) {
        hosted.concurrency.release();
      }
    }
    if (!response.functionError()) {
      hosted.eventsSucceeded.increment();
      return;
    }
    hosted.functionErrors.increment();
    int retry = pending.invocations - 1;
    if (retry < eventRetryDelays.size()) {
      hosted.eventRetries.increment();
      try {
        eventRetries.schedule(
            () -> eventThreads.execute(() -> runEvent(pending)),
            eventRetryDelays.get(retry).toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // The endpoint is closing.
      }
      return;
    }
    hosted.eventsSentOnFailure.increment();
    Consumer<String> destination = onFailure.get(hosted.function.name());
    if (destination == null) {
      logSink.accept(
          "["
              + hosted.function.name()
              + "] event "
              + pending.requestId
              + " dropped after "
              + pending.invocations
              + " attempts: no on-failure destination");
      return;
    }
    try {
      destination.accept(failureRecord(pending, response));
    } catch (RuntimeException e) {
      logSink.accept("sending event " + pending.requestId + " to its destination failed: " + e);
    }
  }

  /** The record Lambda sends an on-failure destination once an event's retries are exhausted. */
  private String failureRecord(PendingEvent pending, FunctionResponse response) {
    ObjectNode record = Json.object();
    record.put("version", "1.0");
    record.put("timestamp", clock.instant().toString());
    ObjectNode request = record.putObject("requestContext");
    request.put("requestId", pending.requestId);
    request.put("functionArn", arn(pending.hosted.function.name()) + ":$LATEST");
    request.put("condition", "RetriesExhausted");
    request.put("approximateInvokeCount", pending.invocations);
    record.set("requestPayload", jsonOrText(pending.payload));
    ObjectNode responseContext = record.putObject("responseContext");
    responseContext.put("statusCode", 200);
    responseContext.put("executedVersion", "$LATEST");
    responseContext.put("functionError", "Unhandled");
    record.set("responsePayload", jsonOrText(response.payload()));
    return Json.write(record);
  }

  private static com.fasterxml.jackson.databind.JsonNode jsonOrText(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    try {
      return Json.parse(text);
    } catch (IOException e) {
      return com.fasterxml.jackson.databind.node.TextNode.valueOf(text);
    }
  }

  /**
   * Runs the function in an idle environment (or a new one, a cold start) under its timeout. A
   * timed-out invocation is interrupted and its environment discarded, as Lambda stops it.
   */
  private FunctionResponse invoke(Hosted hosted, byte[] event, String requestId) {
    long started = System.nanoTime();
    try {
      return invokeTimed(hosted, event, requestId);
    } finally {
      hosted.billedMillis.add((System.nanoTime() - started + 999_999) / 1_000_000);
    }
  }

  private FunctionResponse invokeTimed(Hosted hosted, byte[] event, String requestId) {
    LocalFunction function = hosted.function;
    hosted.invocations.increment();
    LocalLambdaContext context =
        LocalLambdaContext.builder()
            .functionName(function.name())
            .awsRequestId(requestId)
            .region(region)
            .timeout(function.timeout())
            .clock(clock)
            .logSink(line -> logSink.accept("[" + function.name() + "] " + line))
            .build();
    AtomicReference<FunctionCode.ExecutionEnvironment> environment =
        new AtomicReference<>(hosted.idle.pollFirst());
    Future<FunctionResponse> running =
        invocationThreads.submit(
            () -> {
              if (environment.get() == null) {
                hosted.coldStarts.increment();
                try {
                  environment.set(function.code().newEnvironment(function));
                } catch (Exception e) {
                  return initError(e);
                }
              }
              return environment.get().invoke(event, context);
            });
    try {
      FunctionResponse response = running.get(function.timeout().toMillis(), TimeUnit.MILLISECONDS);
      if (environment.get() != null) {
        hosted.idle.offerFirst(environment.get());
      }
      return response;
    } catch (TimeoutException e) {
      running.cancel(true);
      discard(environment.get());
      hosted.timeouts.increment();
      return FunctionResponse.error(
          "Sandbox.Timedout",
          String.format(
              Locale.ROOT,
              "RequestId: %s Error: Task timed out after %.2f seconds",
              requestId,
              function.timeout().toMillis() / 1000.0));
    } catch (ExecutionException e) {
      discard(environment.get());
      Throwable cause = e.getCause();
      return FunctionResponse.error(cause.getClass().getName(), String.valueOf(cause.getMessage()));
    } catch (InterruptedException | CancellationException e) {
      running.cancel(true);
      discard(environment.get());
      Thread.currentThread().interrupt();
      return FunctionResponse.error("Runtime.Unknown", "the local endpoint is stopping");
    }
  }

  /** A function whose environment could not be made fails as Lambda reports an init error. */
  private static FunctionResponse initError(Exception e) {
    Throwable cause = e instanceof InvocationTargetException target ? target.getCause() : e;
    return FunctionResponse.error(cause.getClass().getName(), String.valueOf(cause.getMessage()));
  }

  private void discard(FunctionCode.ExecutionEnvironment environment) {
    if (environment != null) {
      try {
        environment.close();
      } catch (RuntimeException e) {
        logSink.accept("closing an execution environment failed: " + e);
      }
    }
  }

  private String arn(String functionName) {
    return "arn:aws:lambda:"
        + region
        + ":"
        + LocalLambdaContext.LOCAL_ACCOUNT_ID
        + ":function:"
        + functionName;
  }

  private static String queryParameter(URI uri, String name) {
    String query = uri.getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  /** The body, or null when it is larger than {@code limit}. */
  private static byte[] readCapped(InputStream in, int limit) throws IOException {
    byte[] body = in.readNBytes(limit + 1);
    if (body.length > limit) {
      in.transferTo(OutputStream.nullOutputStream());
      return null;
    }
    return body;
  }

  private static void error(HttpExchange exchange, int status, String type, String message)
      throws IOException {
    ObjectNode body = Json.object();
    body.put("Type", "User");
    body.put("message", message);
    send(exchange, status, type, Json.write(body));
  }

  /** An AWS JSON error: the SDK reads its code from {@code x-amzn-ErrorType}. */
  private static void send(HttpExchange exchange, int status, String type, String json)
      throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    eventRetries.shutdownNow();
    eventThreads.shutdownNow();
    invocationThreads.shutdownNow();
    exchangeThreads.shutdownNow();
    for (Hosted hosted : functions.values()) {
      for (FunctionCode.ExecutionEnvironment environment;
          (environment = hosted.idle.poll()) != null; ) {
        discard(environment);
      }
    }
  }

  public static final class Builder {
    private final List<LocalFunction> functions = new ArrayList<>();
    private int port;
    private String region = "us-east-1";
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = line -> {};
    private List<Duration> eventRetryDelays = AWS_EVENT_RETRY_DELAYS;
    private EventInterceptor eventInterceptor = (name, payload) -> EventInterceptor.Fate.ACCEPT;
    private final Map<String, Consumer<String>> onFailure = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The waits before the retries of an event whose invocation failed, one per retry (Lambda: two
     * retries, after about one and two minutes; none: no retry).
     */
    public Builder eventRetryDelays(List<Duration> delays) {
      if (delays.size() > 2) {
        throw new IllegalArgumentException("Lambda retries an event at most twice");
      }
      this.eventRetryDelays = List.copyOf(delays);
      return this;
    }

    /** Decides what becomes of each {@code Event} invocation (default: all accepted). */
    public Builder eventInterceptor(EventInterceptor interceptor) {
      this.eventInterceptor = interceptor;
      return this;
    }

    /**
     * Where function {@code functionName}'s events go once their retries are exhausted: the
     * destination receives Lambda's record as JSON (e.g. sends it to an SQS queue).
     */
    public Builder onFailure(String functionName, Consumer<String> destination) {
      onFailure.put(functionName, destination);
      return this;
    }

    public Builder function(LocalFunction function) {
      functions.add(function);
      return this;
    }

    public Builder functions(List<LocalFunction> functions) {
      this.functions.addAll(functions);
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The functions' logs (a command's standard error, a Java handler's logger), one per line. */
    public Builder logSink(Consumer<String> sink) {
      this.logSink = sink;
      return this;
    }

    public LocalLambdaEndpoint start() {
      try {
        return new LocalLambdaEndpoint(this);
      } catch (IOException e) {
        throw new IllegalStateException("could not start the local Lambda endpoint", e);
      }
    }
  }
}
