package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.contract.Deployment;
import io.hubspoke.engines.ElasticMqEngine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Reproduces the documented behaviour of Lambda's SQS event source mapping, so a spoke handler runs
 * locally exactly as it is driven on AWS: long polling, batches cut at the batch size, the batching
 * window or 6 MB, at most {@code maximumConcurrency} invocations in flight, the {@link SQSEvent}
 * built as Lambda builds it, a function timeout, and ReportBatchItemFailures semantics. Messages
 * that are not deleted simply become visible again after the queue's visibility timeout, and the
 * queue's RedrivePolicy (applied by ElasticMQ) moves them to the DLQ: the poller never redrives.
 *
 * <p>Each of {@link Config#pollers()} threads takes a concurrency slot, gathers one batch and hands
 * it to an invocation thread; the slot is freed when the handler returns. A handler that overruns
 * the function timeout is interrupted and its batch counts as failed; since a Java thread cannot be
 * killed, a handler that ignores the interrupt keeps its slot until it returns (on AWS the
 * execution environment would be stopped).
 *
 * <p>Like Lambda, it runs one invocation at a time per execution environment: given a factory, each
 * environment is its own handler instance, created when no idle one is left (a cold start) and
 * reused after, so whatever a handler bounds per environment (its threads) stays bounded per
 * invocation however many run at once.
 */
public final class SqsEventSourcePoller implements AutoCloseable {
  /** Lambda's limit on a synchronous invocation's payload. */
  public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  private static final int DELETE_ATTEMPTS = 3;

  /**
   * Fault-injection seam, consulted before each batch is invoked. Unused unless configured; the
   * default invokes once.
   */
  @FunctionalInterface
  public interface InvocationInterceptor {
    Decision beforeInvoke(SQSEvent event);

    enum Decision {
      /** Invoke the handler once, normally. */
      INVOKE,
      /** Invoke the handler twice with the same batch (a duplicate delivery); the second counts. */
      INVOKE_TWICE,
      /**
       * Hand the same received messages (same message ids, same receipt handles) to two invocations
       * at once, as SQS does when a message becomes visible again while its first receiver still
       * works on it. Each invocation's response is settled on its own, as each Lambda invocation's
       * is: whichever acknowledges a message deletes it for both.
       */
      INVOKE_TWICE_CONCURRENTLY,
      /** The environment dies before the handler runs: nothing is deleted. */
      CRASH_BEFORE,
      /** The handler runs, then the environment dies before its response is used: no deletes. */
      CRASH_AFTER
    }

    InvocationInterceptor NONE = event -> Decision.INVOKE;
  }

  /**
   * Counters since start, for tests and benchmarks. {@code billedMillis} is the handlers' run time,
   * each invocation rounded up to the millisecond as Lambda bills it.
   */
  public record Stats(
      long invocations,
      long messagesDelivered,
      long messagesDeleted,
      long batchesFailed,
      long invocationsTimedOut,
      long messagesReportedFailed,
      int inFlight,
      int peakInFlight,
      long billedMillis) {}

  private final SqsClient sqs;
  private final Config config;
  private final Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment;
  private final Deque<RequestHandler<SQSEvent, SQSBatchResponse>> idleEnvironments =
      new ConcurrentLinkedDeque<>();
  private final Semaphore slots;
  private final List<Thread> pollerThreads = new ArrayList<>();
  private final ExecutorService invokers;
  private final ScheduledExecutorService watchdog;
  private volatile boolean running = true;

  private final AtomicLong invocations = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong batchesFailed = new AtomicLong();
  private final AtomicLong timedOutInvocations = new AtomicLong();
  private final AtomicLong reportedFailed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();
  private final AtomicInteger held = new AtomicInteger(); // received, not yet settled
  private final AtomicLong billedMillis = new AtomicLong(); // handler time, each rounded up to 1 ms

  private SqsEventSourcePoller(
      SqsClient sqs,
      Config config,
      Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment) {
    this.sqs = sqs;
    this.config = config;
    this.newEnvironment = newEnvironment;
    this.slots = new Semaphore(config.maximumConcurrency());
    this.invokers = Executors.newCachedThreadPool(new DaemonThreads(config.functionName()));
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            new DaemonThreads(config.functionName() + "-timeout"));
  }

  /**
   * Checks the queue as CreateEventSourceMapping does (its visibility timeout must not be shorter
   * than the function timeout) and starts polling.
   */
  public static SqsEventSourcePoller start(
      SqsClient sqs, Config config, RequestHandler<SQSEvent, SQSBatchResponse> handler) {
    Objects.requireNonNull(handler, "handler");
    return start(sqs, config, () -> handler);
  }

  /**
   * As {@link #start(SqsClient, Config, RequestHandler)}, with one handler per execution
   * environment, each made by {@code newEnvironment} when an invocation finds none idle.
   */
  public static SqsEventSourcePoller start(
      SqsClient sqs,
      Config config,
      Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment) {
    Objects.requireNonNull(newEnvironment, "newEnvironment");
    String visibility =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(config.queueUrl())
                        .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
            .attributes()
            .get(QueueAttributeName.VISIBILITY_TIMEOUT);
    if (visibility != null && Long.parseLong(visibility) < config.functionTimeout().toSeconds()) {
      throw new IllegalArgumentException(
          "Queue visibility timeout: "
              + visibility
              + " seconds is less than Function timeout: "
              + config.functionTimeout().toSeconds()
              + " seconds");
    }
    SqsEventSourcePoller poller = new SqsEventSourcePoller(sqs, config, newEnvironment);
    for (int i = 0; i < config.pollers(); i++) {
      Thread t = new Thread(poller::pollLoop, config.functionName() + "-poller-" + (i + 1));
      t.setDaemon(true);
      poller.pollerThreads.add(t);
      t.start();
    }
    return poller;
  }

  public Config config() {
    return config;
  }

  public Stats stats() {
    return new Stats(
        invocations.get(),
        delivered.get(),
        deleted.get(),
        batchesFailed.get(),
        timedOutInvocations.get(),
        reportedFailed.get(),
        inFlight.get(),
        peakInFlight.get(),
        billedMillis.get());
  }

  /** Waits until {@code condition} holds for the counters; false on timeout. */
  public boolean awaitStats(Predicate<Stats> condition, Duration timeout) {
    return pollUntil(() -> condition.test(stats()), timeout);
  }

  /**
   * Waits until the poller holds no messages, no invocation is in flight and the queue has no
   * visible, in-flight or delayed messages: everything was deleted or redriven to the DLQ.
   */
  public boolean awaitQuiescent(Duration timeout) {
    return pollUntil(this::quiescent, timeout);
  }

  private boolean quiescent() {
    if (inFlight.get() > 0 || held.get() > 0) {
      return false;
    }
    Map<QueueAttributeName, String> a =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(config.queueUrl())
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
            .attributes();
    return a.values().stream().allMatch("0"::equals) && inFlight.get() == 0 && held.get() == 0;
  }

  private static boolean pollUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    return true;
  }

  // ---- polling -------------------------------------------------------------------------------

  private void pollLoop() {
    List<Message> carry = new ArrayList<>();
    while (running) {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      boolean handedOff = false;
      try {
        List<Message> batch = gather(carry);
        if (!batch.isEmpty()) {
          try {
            invokers.execute(() -> invokeAndSettle(batch));
            handedOff = true;
          } catch (java.util.concurrent.RejectedExecutionException closing) {
            held.addAndGet(-batch.size());
          }
        }
      } catch (RuntimeException e) {
        if (running) {
          config.logSink().accept("[" + config.functionName() + "] polling failed: " + e);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // back off, then poll again
        }
      } finally {
        if (!handedOff) {
          slots.release();
        }
      }
    }
  }

  /**
   * Receives one batch: up to {@code batchSize} messages, ending when full, when the batching
   * window (counted from the first message) runs out, or before 6 MB. Without a window, the first
   * receive that returns anything is the batch. Messages that would push past 6 MB start the next
   * batch of this poller.
   */
  private List<Message> gather(List<Message> carry) {
    List<Message> batch = new ArrayList<>(carry);
    long bytes = batch.stream().mapToLong(SqsEventSourcePoller::payloadSize).sum();
    carry.clear();
    Duration window = config.maximumBatchingWindow();
    Instant windowEnd = batch.isEmpty() ? null : Instant.now().plus(window);
    while (running && batch.size() < config.batchSize() && carry.isEmpty()) {
      int waitSeconds = (int) config.receiveWaitTime().toSeconds();
      if (!batch.isEmpty()) {
        if (window.isZero()) {
          break;
        }
        long remaining = Duration.between(Instant.now(), windowEnd).toMillis();
        if (remaining <= 0) {
          break;
        }
        // Long polls wait whole seconds: under a second left, short-poll so as not to overrun.
        waitSeconds = (int) Math.min(waitSeconds, remaining / 1000);
      }
      int want = Math.min(10, config.batchSize() - batch.size());
      int wait = waitSeconds;
      List<Message> received;
      try {
        received =
            sqs.receiveMessage(
                    b ->
                        b.queueUrl(config.queueUrl())
                            .maxNumberOfMessages(want)
                            .waitTimeSeconds(wait)
                            .messageSystemAttributeNamesWithStrings("All")
                            .messageAttributeNames("All"))
                .messages();
      } catch (SdkException e) {
        if (batch.isEmpty()) {
          throw e;
        }
        break; // invoke what was gathered rather than strand it
      }
      held.addAndGet(received.size());
      if (received.isEmpty() && wait == 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // between short polls
      }
      for (Message m : received) {
        long size = payloadSize(m);
        if (!carry.isEmpty() || (!batch.isEmpty() && bytes + size > MAX_PAYLOAD_BYTES)) {
          carry.add(m);
        } else {
          batch.add(m);
          bytes += size;
        }
      }
      if (windowEnd == null && !batch.isEmpty()) {
        windowEnd = Instant.now().plus(window);
      }
    }
    if (!running && !batch.isEmpty()) {
      // Closing: leave the messages to reappear after their visibility timeout.
      held.addAndGet(-batch.size() - carry.size());
      carry.clear();
      return List.of();
    }
    return batch;
  }

  /** Approximate size in the event: body, attributes and the record's fixed fields. */
  private static long payloadSize(Message m) {
    long size = 512 + m.body().getBytes(StandardCharsets.UTF_8).length;
    for (var e : m.messageAttributes().entrySet()) {
      MessageAttributeValue v = e.getValue();
      size += e.getKey().length() + 64;
      size += v.stringValue() != null ? v.stringValue().length() : 0;
      size += v.binaryValue() != null ? v.binaryValue().asByteArray().length * 4L / 3 : 0;
    }
    return size;
  }

  // ---- invocation ----------------------------------------------------------------------------

  /** The handler's verdict on a batch: the ids to keep, or null to keep everything. */
  private record Outcome(Set<String> keep, String failure) {
    static Outcome deleteAll() {
      return new Outcome(Set.of(), null);
    }

    static Outcome failed(String why) {
      return new Outcome(null, why);
    }
  }

  private void invokeAndSettle(List<Message> batch) {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    try {
      SQSEvent event = toEvent(batch);
      Outcome outcome;
      switch (config.interceptor().beforeInvoke(event)) {
        case CRASH_BEFORE -> outcome = Outcome.failed("crashed before invocation (injected)");
        case CRASH_AFTER -> {
          invoke(event);
          outcome = Outcome.failed("crashed after invocation (injected)");
        }
        case INVOKE_TWICE -> {
          invoke(event);
          outcome = invoke(toEvent(batch));
        }
        case INVOKE_TWICE_CONCURRENTLY -> {
          Future<?> twin = invokers.submit(() -> settle(batch, invoke(toEvent(batch))));
          settle(batch, invoke(event));
          awaitTwin(twin);
          return;
        }
        default -> outcome = invoke(event);
      }
      settle(batch, outcome);
    } catch (RuntimeException e) {
      config.logSink().accept("[" + config.functionName() + "] settling failed: " + e);
    } finally {
      held.addAndGet(-batch.size());
      inFlight.decrementAndGet();
      slots.release();
    }
  }

  /** The batch stays held (and its slot taken) until both invocations settled. */
  private void awaitTwin(Future<?> twin) {
    try {
      twin.get();
    } catch (ExecutionException e) {
      config.logSink().accept("[" + config.functionName() + "] settling failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Outcome invoke(SQSEvent event) {
    invocations.incrementAndGet();
    delivered.addAndGet(event.getRecords().size());
    LocalLambdaContext context =
        LocalLambdaContext.builder()
            .functionName(config.functionName())
            .region(config.region())
            .timeout(config.functionTimeout())
            .clock(config.clock())
            .logSink(config.logSink())
            .build();
    Thread self = Thread.currentThread();
    Object guard = new Object();
    boolean[] state = new boolean[2]; // [0] finished, [1] timed out; guarded by guard
    ScheduledFuture<?> alarm =
        watchdog.schedule(
            () -> {
              synchronized (guard) {
                if (!state[0]) {
                  state[1] = true;
                  self.interrupt();
                }
              }
            },
            config.functionTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    SQSBatchResponse response = null;
    Throwable error = null;
    RequestHandler<SQSEvent, SQSBatchResponse> environment = idleEnvironments.pollFirst();
    long started = System.nanoTime();
    try {
      if (environment == null) {
        environment = newEnvironment.get();
      }
      response = environment.handleRequest(event, context);
    } catch (Throwable t) {
      error = t;
    } finally {
      if (environment != null) {
        idleEnvironments.offerFirst(environment);
      }
      // Lambda bills each invocation's duration rounded up to the millisecond.
      billedMillis.addAndGet((System.nanoTime() - started + 999_999) / 1_000_000);
      alarm.cancel(false);
      synchronized (guard) {
        state[0] = true;
      }
      Thread.interrupted(); // never leak the alarm's interrupt into the next invocation
    }
    boolean timedOut;
    synchronized (guard) {
      timedOut = state[1];
    }
    if (timedOut) {
      timedOutInvocations.incrementAndGet();
      return Outcome.failed(
          "Task timed out after " + config.functionTimeout().toMillis() / 1000.0 + " seconds");
    }
    if (error != null) {
      config.logSink().accept("[" + config.functionName() + "] invocation failed: " + error);
      return Outcome.failed("function error: " + error);
    }
    if (!config.reportBatchItemFailures()
        || response == null
        || response.getBatchItemFailures() == null
        || response.getBatchItemFailures().isEmpty()) {
      return Outcome.deleteAll();
    }
    Set<String> ids = new HashSet<>();
    event.getRecords().forEach(r -> ids.add(r.getMessageId()));
    Set<String> keep = new HashSet<>();
    for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
      String id = f == null ? null : f.getItemIdentifier();
      if (id == null || id.isEmpty() || !ids.contains(id)) {
        // Lambda treats a response naming an unknown, null or empty id as a failed batch.
        return Outcome.failed("invalid batchItemFailures entry: " + id);
      }
      keep.add(id);
    }
    reportedFailed.addAndGet(keep.size());
    return new Outcome(keep, null);
  }

  private void settle(List<Message> batch, Outcome outcome) {
    if (outcome.failure() != null) {
      batchesFailed.incrementAndGet();
      config
          .logSink()
          .accept(
              "["
                  + config.functionName()
                  + "] batch of "
                  + batch.size()
                  + " failed: "
                  + outcome.failure());
      return;
    }
    List<Message> toDelete =
        batch.stream().filter(m -> !outcome.keep().contains(m.messageId())).toList();
    for (int i = 0; i < toDelete.size(); i += 10) {
      delete(toDelete.subList(i, Math.min(toDelete.size(), i + 10)));
    }
  }

  /** DeleteMessageBatch, retrying entries that fail; what still fails will simply reappear. */
  private void delete(List<Message> messages) {
    Map<String, Message> pending = new HashMap<>();
    for (int i = 0; i < messages.size(); i++) {
      pending.put(String.valueOf(i), messages.get(i));
    }
    for (int attempt = 1; attempt <= DELETE_ATTEMPTS && !pending.isEmpty(); attempt++) {
      List<DeleteMessageBatchRequestEntry> entries =
          pending.entrySet().stream()
              .map(
                  e ->
                      DeleteMessageBatchRequestEntry.builder()
                          .id(e.getKey())
                          .receiptHandle(e.getValue().receiptHandle())
                          .build())
              .toList();
      try {
        DeleteMessageBatchResponse response =
            sqs.deleteMessageBatch(b -> b.queueUrl(config.queueUrl()).entries(entries));
        response.successful().forEach(s -> pending.remove(s.id()));
        deleted.addAndGet(response.successful().size());
      } catch (SdkException e) {
        if (!running) {
          return;
        }
      }
    }
    if (!pending.isEmpty()) {
      config
          .logSink()
          .accept(
              "["
                  + config.functionName()
                  + "] could not delete "
                  + pending.size()
                  + " messages: they will be received again");
    }
  }

  /** The event Lambda passes for these messages. */
  private SQSEvent toEvent(List<Message> batch) {
    List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
    for (Message m : batch) {
      SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
      r.setMessageId(m.messageId());
      r.setReceiptHandle(m.receiptHandle());
      r.setBody(m.body());
      r.setMd5OfBody(m.md5OfBody());
      r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
      Map<String, String> attributes = new HashMap<>(m.attributesAsStrings());
      // Lambda always passes SenderId; ElasticMQ may leave it out.
      attributes.putIfAbsent("SenderId", LocalLambdaContext.LOCAL_ACCOUNT_ID);
      r.setAttributes(attributes);
      Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
      m.messageAttributes().forEach((name, value) -> messageAttributes.put(name, convert(value)));
      r.setMessageAttributes(messageAttributes);
      r.setEventSource("aws:sqs");
      r.setEventSourceArn(config.queueArn());
      r.setAwsRegion(config.region());
      records.add(r);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return event;
  }

  private static SQSEvent.MessageAttribute convert(MessageAttributeValue value) {
    SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
    a.setDataType(value.dataType());
    a.setStringValue(value.stringValue());
    if (value.binaryValue() != null) {
      a.setBinaryValue(value.binaryValue().asByteBuffer());
    }
    // Lambda's JSON carries these as empty lists.
    a.setStringListValues(List.of());
    a.setBinaryListValues(List.of());
    return a;
  }

  /**
   * Stops polling without waiting for long polls to return, gives in-flight invocations a short
   * grace to finish and settle, then interrupts them. Unsettled messages reappear after their
   * visibility timeout, as after a Lambda restart.
   */
  @Override
  public void close() {
    running = false;
    // A poller blocked in a long poll cannot be interrupted (the HTTP client ignores interrupts);
    // it is a daemon thread and drops whatever it receives once it sees the flag, and the
    // invoker pool is shut below, so no invocation starts after close returns. No need to wait.
    pollerThreads.forEach(Thread::interrupt);
    invokers.shutdown();
    try {
      if (!invokers.awaitTermination(5, TimeUnit.SECONDS)) {
        invokers.shutdownNow();
      }
    } catch (InterruptedException e) {
      invokers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    watchdog.shutdownNow();
  }

  // ---- configuration -------------------------------------------------------------------------

  /**
   * The event source mapping's settings, validated against Lambda's documented ranges. {@code
   * pollers}, {@code receiveWaitTime}, {@code interceptor}, {@code clock} and {@code logSink} are
   * local knobs with no AWS counterpart.
   */
  public record Config(
      String queueUrl,
      String queueArn,
      int batchSize,
      Duration maximumBatchingWindow,
      int maximumConcurrency,
      Duration functionTimeout,
      boolean reportBatchItemFailures,
      String region,
      String functionName,
      int pollers,
      Duration receiveWaitTime,
      InvocationInterceptor interceptor,
      Clock clock,
      Consumer<String> logSink) {

    public Config {
      Objects.requireNonNull(queueUrl, "queueUrl");
      Objects.requireNonNull(queueArn, "queueArn");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(functionName, "functionName");
      Objects.requireNonNull(interceptor, "interceptor");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(logSink, "logSink");
      if (batchSize < 1 || batchSize > Deployment.MAX_EVENT_SOURCE_BATCH_SIZE) {
        throw new IllegalArgumentException("batchSize must be 1-10,000: " + batchSize);
      }
      if (maximumBatchingWindow.isNegative()
          || maximumBatchingWindow.compareTo(
                  Duration.ofSeconds(Deployment.MAX_BATCHING_WINDOW_SECONDS))
              > 0) {
        throw new IllegalArgumentException(
            "maximumBatchingWindow must be 0-300 s: " + maximumBatchingWindow);
      }
      if (Deployment.needsBatchingWindow(batchSize) && maximumBatchingWindow.isZero()) {
        throw new IllegalArgumentException(
            "a batchSize above 10 requires a maximumBatchingWindow of at least 1 s, as on AWS");
      }
      if (!Deployment.isValidMaximumConcurrency(maximumConcurrency)) {
        throw new IllegalArgumentException(
            "maximumConcurrency must be 2-1,000: " + maximumConcurrency);
      }
      if (functionTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || functionTimeout.compareTo(Duration.ofSeconds(900)) > 0) {
        throw new IllegalArgumentException("functionTimeout must be 1-900 s: " + functionTimeout);
      }
      if (pollers < 1) {
        throw new IllegalArgumentException("pollers must be at least 1: " + pollers);
      }
      if (receiveWaitTime.toSeconds() < 1 || receiveWaitTime.toSeconds() > 20) {
        throw new IllegalArgumentException("receiveWaitTime must be 1-20 s: " + receiveWaitTime);
      }
    }

    public static Builder builder() {
      return new Builder();
    }

    public static final class Builder {
      private String queueUrl;
      private String queueArn;
      private int batchSize = Deployment.DEFAULT_SPOKE_BATCH_SIZE; // Lambda's default for SQS
      private Duration maximumBatchingWindow = Duration.ZERO;
      private int maximumConcurrency = Deployment.MAX_MAXIMUM_CONCURRENCY;
      private Duration functionTimeout = Duration.ofSeconds(3);
      private boolean reportBatchItemFailures;
      private String region = "us-east-1";
      private String functionName;
      private Integer pollers;
      private Duration receiveWaitTime = Duration.ofSeconds(1);
      private InvocationInterceptor interceptor = InvocationInterceptor.NONE;
      private Clock clock = Clock.systemUTC();
      private Consumer<String> logSink = System.out::println;

      private Builder() {}

      public Builder queue(String queueUrl, String queueArn) {
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        return this;
      }

      /** The work queue (not its DLQ) created by {@link ElasticMqEngine#createWorkQueues}. */
      public Builder queue(ElasticMqEngine.WorkQueues queues) {
        return queue(queues.queueUrl(), queues.queueArn());
      }

      public Builder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
      }

      public Builder maximumBatchingWindow(Duration window) {
        this.maximumBatchingWindow = Objects.requireNonNull(window);
        return this;
      }

      public Builder maximumConcurrency(int maximumConcurrency) {
        this.maximumConcurrency = maximumConcurrency;
        return this;
      }

      public Builder functionTimeout(Duration functionTimeout) {
        this.functionTimeout = Objects.requireNonNull(functionTimeout);
        return this;
      }

      public Builder reportBatchItemFailures(boolean on) {
        this.reportBatchItemFailures = on;
        return this;
      }

      public Builder region(String region) {
        this.region = region;
        return this;
      }

      /** Defaults to the queue's name. */
      public Builder functionName(String functionName) {
        this.functionName = functionName;
        return this;
      }

      /** Polling threads; defaults to min(5, maximumConcurrency), as Lambda starts 5 pollers. */
      public Builder pollers(int pollers) {
        this.pollers = pollers;
        return this;
      }

      /** Long-poll wait per ReceiveMessage (1-20 s, default 1 s so that close is prompt). */
      public Builder receiveWaitTime(Duration receiveWaitTime) {
        this.receiveWaitTime = Objects.requireNonNull(receiveWaitTime);
        return this;
      }

      public Builder interceptor(InvocationInterceptor interceptor) {
        this.interceptor = interceptor;
        return this;
      }

      public Builder clock(Clock clock) {
        this.clock = clock;
        return this;
      }

      public Builder logSink(Consumer<String> logSink) {
        this.logSink = logSink;
        return this;
      }

      public Config build() {
        Objects.requireNonNull(queueUrl, "queue");
        String name =
            functionName != null ? functionName : queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        return new Config(
            queueUrl,
            queueArn,
            batchSize,
            maximumBatchingWindow,
            maximumConcurrency,
            functionTimeout,
            reportBatchItemFailures,
            region,
            name,
            pollers != null ? pollers : Math.min(5, maximumConcurrency),
            receiveWaitTime,
            interceptor,
            clock,
            logSink);
      }
    }
  }
}
