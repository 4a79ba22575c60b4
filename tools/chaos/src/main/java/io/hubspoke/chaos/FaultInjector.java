package io.hubspoke.chaos;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.contract.EventRules;
import io.hubspoke.local.emulator.LocalEventBus;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Injects faults through the real seams: an SDK {@link ExecutionInterceptor} on the functions'
 * clients, the event-source poller's and the event bus's interceptors, and a worker. Whether a
 * fault fires is decided from a hash of the seed, the fault kind and a stable identity of the event
 * (the request's key and how many times that key was seen, a batch's bodies and receive counts, a
 * task id and attempt), so one seed reproduces one fault schedule whatever the thread interleaving.
 */
public final class FaultInjector {
  /** Thrown where a process would die: the handler or hub stops at that point. */
  public static final class InjectedCrash extends RuntimeException {
    InjectedCrash(String message) {
      super(message);
    }
  }

  private static final ExecutionAttribute<String> IDENTITY =
      new ExecutionAttribute<>("hubspoke.fault.identity");
  private static final ExecutionAttribute<AtomicInteger> ATTEMPT =
      new ExecutionAttribute<>("hubspoke.fault.attempt");
  private static final ExecutionAttribute<Boolean> LOSE =
      new ExecutionAttribute<>("hubspoke.fault.lose");
  private static final ExecutionAttribute<Object> HELD_BACK =
      new ExecutionAttribute<>("hubspoke.fault.heldBack");

  private final long seed;
  private final Map<FaultKind, Double> rates;
  private final Map<FaultKind, AtomicLong> injected = new EnumMap<>(FaultKind.class);
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  private volatile boolean active = true;
  private volatile boolean eventsActive = true;

  public FaultInjector(long seed, Map<FaultKind, Double> rates) {
    this.seed = seed;
    this.rates = new EnumMap<>(FaultKind.class);
    this.rates.putAll(rates);
    for (FaultKind kind : FaultKind.values()) {
      injected.put(kind, new AtomicLong());
    }
  }

  /** Stops every fault from now on (the invariant checker's "once faults stop"). */
  public void stop() {
    active = false;
    eventsActive = false;
  }

  /**
   * Stops every fault on the task path (the bound of I6 starts here) and leaves event deliveries
   * faulty: a run's RunDrained comes at its end, so event faults must outlast the others to meet
   * it, and a run must still be summarized while they go on.
   */
  public void stopTaskFaults() {
    active = false;
  }

  public boolean active() {
    return active;
  }

  public Map<FaultKind, Long> injected() {
    Map<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
    injected.forEach((kind, count) -> counts.put(kind, count.get()));
    return counts;
  }

  public long injectedTotal() {
    return injected.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Decides, reproducibly, whether {@code kind} fires for the event identified by {@code key}. */
  public boolean fires(FaultKind kind, String key) {
    double rate = rates.getOrDefault(kind, 0.0);
    if (!(kind.onEvents() ? eventsActive : active) || rate <= 0) {
      return false;
    }
    if (unitHash(seed + "|" + kind + "|" + key) >= rate) {
      return false;
    }
    injected.get(kind).incrementAndGet();
    return true;
  }

  /** A number in [0, 1) from the text, for choices that are not faults (e.g. how long). */
  public double choice(String key) {
    return unitHash(seed + "|choice|" + key);
  }

  static double unitHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return (ByteBuffer.wrap(digest).getLong() >>> 11) / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the SDK seam ----------------------------------------------------------------------------

  public ExecutionInterceptor sdk() {
    return new SdkFaults();
  }

  private final class SdkFaults implements ExecutionInterceptor {
    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
      SdkRequest request = context.request();
      String identity = identity(request);
      int ordinal = seen.computeIfAbsent(identity, k -> new AtomicInteger()).incrementAndGet();
      String key = identity + "#" + ordinal;
      attributes.putAttribute(IDENTITY, key);
      attributes.putAttribute(ATTEMPT, new AtomicInteger());
      if (request instanceof BatchWriteItemRequest batch && fires(FaultKind.PARTIAL_BATCH, key)) {
        return holdBackWrites(batch, attributes);
      }
      if (request instanceof SendMessageBatchRequest batch
          && batch.entries().size() > 1
          && fires(FaultKind.PARTIAL_BATCH, key)) {
        List<SendMessageBatchRequestEntry> kept = new ArrayList<>(batch.entries());
        SendMessageBatchRequestEntry dropped = kept.remove(kept.size() - 1);
        attributes.putAttribute(HELD_BACK, dropped);
        return batch.toBuilder().entries(kept).build();
      }
      if (request instanceof PutEventsRequest events && fires(FaultKind.PARTIAL_BATCH, key)) {
        // The last entry is addressed to a bus that does not exist: the bus itself then reports
        // it failed (ErrorCode, FailedEntryCount) while the others go through.
        List<PutEventsRequestEntry> entries = new ArrayList<>(events.entries());
        int last = entries.size() - 1;
        entries.set(
            last,
            entries.get(last).toBuilder().eventBusName("hubspoke-injected-missing-bus").build());
        return events.toBuilder().entries(entries).build();
      }
      return request;
    }

    private SdkRequest holdBackWrites(BatchWriteItemRequest batch, ExecutionAttributes attributes) {
      Map<String, List<WriteRequest>> kept = new HashMap<>();
      Map<String, List<WriteRequest>> held = new HashMap<>();
      batch
          .requestItems()
          .forEach(
              (table, writes) -> {
                int keep = Math.max(1, writes.size() / 2);
                kept.put(table, new ArrayList<>(writes.subList(0, keep)));
                if (keep < writes.size()) {
                  held.put(table, new ArrayList<>(writes.subList(keep, writes.size())));
                }
              });
      attributes.putAttribute(HELD_BACK, held);
      return batch.toBuilder().requestItems(kept).build();
    }

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      String key = attributes.getAttribute(IDENTITY);
      if (key == null) {
        return;
      }
      int attempt = attributes.getAttribute(ATTEMPT).incrementAndGet();
      String attemptKey = key + "@" + attempt;
      if (fires(FaultKind.LATENCY, attemptKey)) {
        try {
          Thread.sleep(5 + (long) (45 * choice(attemptKey)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (fires(FaultKind.THROTTLE, attemptKey)) {
        throw serviceError(429, "ThrottlingException", "injected throttling");
      }
      if (fires(FaultKind.SERVICE_ERROR, attemptKey)) {
        throw serviceError(500, "InternalServerError", "injected service error");
      }
      boolean write =
          context.request() instanceof UpdateItemRequest
              || context.request() instanceof PutItemRequest;
      attributes.putAttribute(LOSE, write && fires(FaultKind.LOST_RESPONSE, attemptKey));
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (Boolean.TRUE.equals(attributes.getAttribute(LOSE))) {
        return context.httpResponse().toBuilder().statusCode(500).build();
      }
      return context.httpResponse();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (Boolean.TRUE.equals(attributes.getAttribute(LOSE))) {
        attributes.putAttribute(LOSE, false);
        return Optional.of(
            AbortableInputStream.create(
                new ByteArrayInputStream(
                    "{\"__type\":\"InternalServerError\",\"message\":\"injected: response lost after the write was applied\"}"
                        .getBytes(StandardCharsets.UTF_8))));
      }
      return context.responseBody();
    }

    @Override
    @SuppressWarnings("unchecked")
    public SdkResponse modifyResponse(
        Context.ModifyResponse context, ExecutionAttributes attributes) {
      Object held = attributes.getAttribute(HELD_BACK);
      SdkResponse response = context.response();
      if (held == null) {
        return response;
      }
      if (response instanceof BatchWriteItemResponse batch) {
        Map<String, List<WriteRequest>> unprocessed = new HashMap<>(batch.unprocessedItems());
        ((Map<String, List<WriteRequest>>) held)
            .forEach(
                (table, writes) ->
                    unprocessed.computeIfAbsent(table, t -> new ArrayList<>()).addAll(writes));
        return batch.toBuilder().unprocessedItems(unprocessed).build();
      }
      if (response instanceof SendMessageBatchResponse batch) {
        SendMessageBatchRequestEntry dropped = (SendMessageBatchRequestEntry) held;
        List<BatchResultErrorEntry> failed = new ArrayList<>(batch.failed());
        failed.add(
            BatchResultErrorEntry.builder()
                .id(dropped.id())
                .code("InternalError")
                .message("injected: entry not sent")
                .senderFault(false)
                .build());
        return batch.toBuilder().failed(failed).build();
      }
      return response;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof BatchWriteItemRequest
          && fires(FaultKind.HUB_CRASH, attributes.getAttribute(IDENTITY))) {
        throw new InjectedCrash("injected: the hub died after writing a chunk of tasks");
      }
      if (isDiscoveryCheckpoint(context.request())
          && fires(FaultKind.HUB_CRASH, attributes.getAttribute(IDENTITY))) {
        throw new InjectedCrash("injected: the hub died after a discovery checkpoint");
      }
    }
  }

  /** The write that makes a discovered page part of its run (RunStore.checkpointDiscovery). */
  static boolean isDiscoveryCheckpoint(SdkRequest request) {
    return request instanceof UpdateItemRequest update
        && update.updateExpression().contains("pages = :next");
  }

  static AwsServiceException serviceError(int status, String code, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .message(message)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage(message)
                .serviceName("injected")
                .build())
        .build();
  }

  /** A stable name for a request: its operation and the key it addresses. */
  static String identity(SdkRequest request) {
    if (request instanceof UpdateItemRequest u) {
      String expression = u.updateExpression();
      return "UpdateItem "
          + key(u.key())
          + " "
          + expression.substring(0, Math.min(24, expression.length()));
    }
    if (request instanceof PutItemRequest p) {
      return "PutItem " + key(p.item());
    }
    if (request instanceof GetItemRequest g) {
      return "GetItem " + key(g.key());
    }
    if (request instanceof BatchWriteItemRequest b) {
      return "BatchWriteItem "
          + b.requestItems().values().stream()
              .flatMap(List::stream)
              .map(w -> w.putRequest() == null ? "?" : key(w.putRequest().item()))
              .findFirst()
              .orElse("");
    }
    if (request instanceof SendMessageBatchRequest s) {
      return "SendMessageBatch " + (s.entries().isEmpty() ? "" : s.entries().get(0).messageBody());
    }
    if (request instanceof SendMessageRequest s) {
      return "SendMessage " + s.messageBody();
    }
    if (request instanceof PutEventsRequest e) {
      return "PutEvents "
          + (e.entries().isEmpty()
              ? ""
              : e.entries().get(0).detailType() + e.entries().get(0).detail());
    }
    return request.getClass().getSimpleName() + " " + request.hashCode();
  }

  private static String key(Map<String, AttributeValue> item) {
    AttributeValue pk = item.get("pk");
    AttributeValue sk = item.get("sk");
    return (pk == null ? "" : pk.s()) + "|" + (sk == null ? "" : sk.s());
  }

  // ---- the poller and the bus ------------------------------------------------------------------

  public SqsEventSourcePoller.InvocationInterceptor poller() {
    return event -> {
      List<SQSEvent.SQSMessage> records = new ArrayList<>(event.getRecords());
      records.sort(Comparator.comparing(SQSEvent.SQSMessage::getBody));
      StringBuilder key = new StringBuilder("batch");
      for (SQSEvent.SQSMessage m : records) {
        key.append('|')
            .append(m.getBody())
            .append('#')
            .append(m.getAttributes().get("ApproximateReceiveCount"));
      }
      String batch = key.toString();
      if (fires(FaultKind.CRASH_BEFORE_HANDLER, batch)) {
        return SqsEventSourcePoller.InvocationInterceptor.Decision.CRASH_BEFORE;
      }
      if (fires(FaultKind.CRASH_AFTER_HANDLER, batch)) {
        return SqsEventSourcePoller.InvocationInterceptor.Decision.CRASH_AFTER;
      }
      if (fires(FaultKind.DUPLICATE_DELIVERY, batch)) {
        return SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE_TWICE;
      }
      if (fires(FaultKind.CONCURRENT_DUPLICATE_DELIVERY, batch)) {
        return SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE_TWICE_CONCURRENTLY;
      }
      return SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE;
    };
  }

  public LocalEventBus.DeliveryInterceptor bus() {
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> workAvailableDeliveries = new ConcurrentHashMap<>();
    return (rule, eventJson, attempt) -> {
      // The envelope's id and time differ between runs; the detail does not.
      int start = eventJson.indexOf("\"detail-type\"");
      int end = eventJson.indexOf("\"source\"");
      String detailType = start >= 0 && end > start ? eventJson.substring(start, end) : "";
      String detail = eventJson.substring(Math.max(0, eventJson.indexOf("\"detail\":")));
      String identity = rule + detailType + detail;
      if (rule.equals(EventRules.WORK_AVAILABLE_RULE)) {
        return workAvailable(identity, workAvailableDeliveries);
      }
      int ordinal =
          deliveries
              .computeIfAbsent(identity + "@" + attempt, k -> new AtomicInteger())
              .incrementAndGet();
      String key = identity + "@" + attempt + "#" + ordinal;
      if (fires(FaultKind.EVENT_DROP, key)) {
        return LocalEventBus.DeliveryInterceptor.Decision.DROP;
      }
      if (fires(FaultKind.EVENT_FAIL, key)) {
        return LocalEventBus.DeliveryInterceptor.Decision.FAIL;
      }
      if (attempt == 1 && ordinal == 1 && fires(FaultKind.EVENT_DUPLICATE, key)) {
        return LocalEventBus.DeliveryInterceptor.Decision.DUPLICATE;
      }
      return LocalEventBus.DeliveryInterceptor.Decision.DELIVER;
    };
  }

  /**
   * A hybrid run's {@code WorkAvailable} to the spoke: lost at the seed's rate while task faults go
   * on. It takes none of the other event faults: those outlast the task faults to meet a run's one
   * {@code RunDrained}, and a wake-up lost after the task faults stopped would only be the sweep's
   * to make good, past the drain bound.
   */
  private LocalEventBus.DeliveryInterceptor.Decision workAvailable(
      String identity, Map<String, AtomicInteger> deliveries) {
    int ordinal = deliveries.computeIfAbsent(identity, k -> new AtomicInteger()).incrementAndGet();
    return fires(FaultKind.WORK_AVAILABLE_DROP, identity + "#" + ordinal)
        ? LocalEventBus.DeliveryInterceptor.Decision.DROP
        : LocalEventBus.DeliveryInterceptor.Decision.DELIVER;
  }

  // ---- the local Lambda endpoint's asynchronous invocations (push runs) ------------------------

  private static final Pattern PUSHED_TASKS = Pattern.compile("\"tasks\":\\[([0-9,]*)]");

  /**
   * Loses a push run's invocations of the spoke (accepted, never run) at the seed's rate; any other
   * asynchronous invocation (a hybrid run's WorkAvailable) is accepted. An invocation is known by
   * the tasks it carries and how many times they were pushed, not by its run's id.
   */
  public LocalLambdaEndpoint.EventInterceptor push() {
    Map<String, AtomicInteger> pushes = new ConcurrentHashMap<>();
    return (function, payload) -> {
      String json = new String(payload, StandardCharsets.UTF_8);
      Matcher tasks = PUSHED_TASKS.matcher(json);
      if (!json.contains("\"hubspokePush\"") || !tasks.find()) {
        return LocalLambdaEndpoint.EventInterceptor.Fate.ACCEPT;
      }
      String identity = function + "|" + tasks.group(1);
      int ordinal = pushes.computeIfAbsent(identity, k -> new AtomicInteger()).incrementAndGet();
      return fires(FaultKind.PUSH_LOST_INVOCATION, identity + "#" + ordinal)
          ? LocalLambdaEndpoint.EventInterceptor.Fate.DROP
          : LocalLambdaEndpoint.EventInterceptor.Fate.ACCEPT;
    };
  }
}
