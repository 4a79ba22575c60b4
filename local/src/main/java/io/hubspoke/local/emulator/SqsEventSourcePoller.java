package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Reproduces the documented behaviour of Lambda's SQS event source mapping, so a spoke handler runs
 * locally exactly as it is driven on AWS: long polling, batches cut at the batch size, the batching
 * window or 6 MB, at most {@code maximumConcurrency} invocations in flight, the {@link SQSEvent}
 * built as Lambda builds it, a function timeout, and ReportBatchItemFailures semantics. Messages
 * that are not deleted simply become visible again after the queue's visibility timeout, and the
 * queue's RedrivePolicy (applied by ElasticMQ) moves them to the DLQ: the poller never redrives.
 *
 * <p>This class is the poll/settle loop. Each of {@link SqsEventSourceConfig#pollers()} threads
 * takes a concurrency slot, gathers one batch and hands it to an invocation thread; the slot is
 * freed when the handler returns. The batch becomes an event and the handler's response an outcome
 * through {@link SqsEventMapping}; settling deletes what the outcome does not keep. The invocation
 * itself is a {@link TimedInvocation}: a handler that overruns the function timeout is interrupted
 * and its batch counts as failed; since a Java thread cannot be killed, a handler that ignores the
 * interrupt keeps its slot until it returns (on AWS the execution environment would be stopped).
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
  private final SqsEventSourceConfig config;
  private final TimedInvocation timedInvocation;
  private final Semaphore slots;
  private final List<Thread> pollerThreads = new ArrayList<>();
  private final ExecutorService invokers;
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
      SqsEventSourceConfig config,
      Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment) {
    this.sqs = sqs;
    this.config = config;
    this.slots = new Semaphore(config.maximumConcurrency());
    this.invokers = Executors.newCachedThreadPool(new DaemonThreads(config.functionName()));
    this.timedInvocation = new TimedInvocation(config, newEnvironment);
  }

  /**
   * Checks the queue as CreateEventSourceMapping does (its visibility timeout must not be shorter
   * than the function timeout) and starts polling.
   */
  public static SqsEventSourcePoller start(
      SqsClient sqs,
      SqsEventSourceConfig config,
      RequestHandler<SQSEvent, SQSBatchResponse> handler) {
    Objects.requireNonNull(handler, "handler");
    return start(sqs, config, () -> handler);
  }

  /**
   * As {@link #start(SqsClient, SqsEventSourceConfig, RequestHandler)}, with one handler per
   * execution environment, each made by {@code newEnvironment} when an invocation finds none idle.
   */
  public static SqsEventSourcePoller start(
      SqsClient sqs,
      SqsEventSourceConfig config,
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

  public SqsEventSourceConfig config() {
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
    long bytes = batch.stream().mapToLong(SqsEventMapping::payloadSize).sum();
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
        long size = SqsEventMapping.payloadSize(m);
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

  // ---- invocation and settlement -------------------------------------------------------------

  private void invokeAndSettle(List<Message> batch) {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    try {
      SQSEvent event = toEvent(batch);
      BatchOutcome outcome;
      switch (config.interceptor().beforeInvoke(event)) {
        case CRASH_BEFORE -> outcome = BatchOutcome.failed("crashed before invocation (injected)");
        case CRASH_AFTER -> {
          invoke(event);
          outcome = BatchOutcome.failed("crashed after invocation (injected)");
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

  private BatchOutcome invoke(SQSEvent event) {
    invocations.incrementAndGet();
    delivered.addAndGet(event.getRecords().size());
    TimedInvocation.Result result = timedInvocation.invoke(event);
    billedMillis.addAndGet(result.billedMillis());
    if (result.timedOut()) {
      timedOutInvocations.incrementAndGet();
    }
    if (result.failure() != null) {
      return BatchOutcome.failed(result.failure());
    }
    BatchOutcome outcome =
        SqsEventMapping.outcome(event, result.response(), config.reportBatchItemFailures());
    if (!outcome.isFailed()) {
      reportedFailed.addAndGet(outcome.keep().size());
    }
    return outcome;
  }

  /** Deletes the messages the outcome does not keep; a failed batch is left to reappear. */
  private void settle(List<Message> batch, BatchOutcome outcome) {
    if (outcome.isFailed()) {
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
    List<Message> toDelete = outcome.toDelete(batch);
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

  private SQSEvent toEvent(List<Message> batch) {
    return SqsEventMapping.toEvent(batch, config.queueArn(), config.region());
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
    timedInvocation.close();
  }
}
