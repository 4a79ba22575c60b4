package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.engines.ElasticMqEngine;
import io.hubspoke.testkit.TestClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

class SqsEventSourcePollerTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private static ElasticMqEngine engine;
  private static SqsClient sqs;
  private final List<SqsEventSourcePoller> pollers = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    engine = ElasticMqEngine.start();
    sqs = TestClients.sqs(engine.endpoint());
  }

  @AfterAll
  static void stop() {
    if (sqs != null) {
      sqs.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @AfterEach
  void closePollers() {
    pollers.forEach(SqsEventSourcePoller::close);
  }

  /** A fresh queue + DLQ per test: visibility 1 s, DLQ after {@code maxReceiveCount}. */
  private static ElasticMqEngine.WorkQueues queues(int maxReceiveCount) {
    return queues(maxReceiveCount, Duration.ofSeconds(1));
  }

  private static ElasticMqEngine.WorkQueues queues(int maxReceiveCount, Duration visibility) {
    return ElasticMqEngine.createWorkQueues(
        sqs, "poller-" + QUEUES.incrementAndGet(), visibility, maxReceiveCount);
  }

  private SqsEventSourcePoller start(
      ElasticMqEngine.WorkQueues q,
      Consumer<SqsEventSourceConfig.Builder> settings,
      RequestHandler<SQSEvent, SQSBatchResponse> handler) {
    var builder =
        SqsEventSourceConfig.builder()
            .queue(q.queueUrl(), q.queueArn())
            .functionTimeout(Duration.ofSeconds(1))
            .maximumConcurrency(2)
            .logSink(log::add);
    settings.accept(builder);
    SqsEventSourcePoller poller = SqsEventSourcePoller.start(sqs, builder.build(), handler);
    pollers.add(poller);
    return poller;
  }

  private static void send(ElasticMqEngine.WorkQueues q, String... bodies) {
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      entries.add(
          SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(bodies[i]).build());
      if (entries.size() == 10 || i == bodies.length - 1) {
        var batch = List.copyOf(entries);
        sqs.sendMessageBatch(b -> b.queueUrl(q.queueUrl()).entries(batch));
        entries.clear();
      }
    }
  }

  private static int receiveCount(SQSEvent.SQSMessage m) {
    return Integer.parseInt(m.getAttributes().get("ApproximateReceiveCount"));
  }

  private static SQSBatchResponse failing(String... ids) {
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (String id : ids) {
      failures.add(new SQSBatchResponse.BatchItemFailure(id));
    }
    return new SQSBatchResponse(failures);
  }

  private static List<String> bodies(ConcurrentLinkedQueue<SQSEvent.SQSMessage> seen) {
    return seen.stream().map(SQSEvent.SQSMessage::getBody).sorted().toList();
  }

  @Test
  void buildsTheEventAndContextAsLambdaDoes() {
    var q = queues(5);
    sqs.sendMessage(
        b ->
            b.queueUrl(q.queueUrl())
                .messageBody("{\"task\":\"t-1\"}")
                .messageAttributes(
                    Map.of(
                        "runId",
                        MessageAttributeValue.builder()
                            .dataType("String")
                            .stringValue("r-1")
                            .build(),
                        "blob",
                        MessageAttributeValue.builder()
                            .dataType("Binary")
                            .binaryValue(SdkBytes.fromUtf8String("bytes"))
                            .build())));
    var events = new ConcurrentLinkedQueue<SQSEvent>();
    var contexts = new ConcurrentLinkedQueue<Context>();
    AtomicLong remaining = new AtomicLong();
    var poller =
        start(
            q,
            c -> c.functionName("spoke").functionTimeout(Duration.ofSeconds(1)),
            (event, context) -> {
              remaining.set(context.getRemainingTimeInMillis());
              events.add(event);
              contexts.add(context);
              return null;
            });
    assertTrue(poller.awaitQuiescent(WAIT));

    assertEquals(1, events.size());
    SQSEvent.SQSMessage m = events.peek().getRecords().get(0);
    assertNotNull(m.getMessageId());
    assertNotNull(m.getReceiptHandle());
    assertEquals("{\"task\":\"t-1\"}", m.getBody());
    assertEquals("3b8d7b2c1f4c4c4cbbcb4c8bd0b8d7a1".length(), m.getMd5OfBody().length());
    assertNotNull(m.getMd5OfMessageAttributes());
    assertEquals("1", m.getAttributes().get("ApproximateReceiveCount"));
    assertTrue(Long.parseLong(m.getAttributes().get("SentTimestamp")) > 0);
    assertTrue(Long.parseLong(m.getAttributes().get("ApproximateFirstReceiveTimestamp")) > 0);
    assertNotNull(m.getAttributes().get("SenderId"));
    assertEquals("r-1", m.getMessageAttributes().get("runId").getStringValue());
    assertEquals("String", m.getMessageAttributes().get("runId").getDataType());
    assertEquals(
        "bytes",
        StandardCharsets.UTF_8
            .decode(m.getMessageAttributes().get("blob").getBinaryValue())
            .toString());
    assertEquals("aws:sqs", m.getEventSource());
    assertEquals(q.queueArn(), m.getEventSourceArn());
    assertEquals("us-east-1", m.getAwsRegion());

    Context context = contexts.peek();
    assertEquals("spoke", context.getFunctionName());
    assertTrue(remaining.get() > 0 && remaining.get() <= 1000, "remaining " + remaining);
    assertEquals(1, poller.stats().invocations());
    assertEquals(1, poller.stats().messagesDeleted());
  }

  @Test
  void partialBatchResponseDeletesOnlyTheSuccesses() {
    var q = queues(5);
    send(q, "ok-1", "fail", "ok-2");
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c -> c.reportBatchItemFailures(true).pollers(1),
            (event, context) -> {
              seen.addAll(event.getRecords());
              List<String> failed =
                  event.getRecords().stream()
                      .filter(m -> m.getBody().equals("fail") && receiveCount(m) == 1)
                      .map(SQSEvent.SQSMessage::getMessageId)
                      .toList();
              return failing(failed.toArray(String[]::new));
            });
    assertTrue(poller.awaitQuiescent(WAIT));

    assertEquals(List.of("fail", "fail", "ok-1", "ok-2"), bodies(seen));
    SQSEvent.SQSMessage second =
        seen.stream().filter(m -> m.getBody().equals("fail")).reduce((a, b) -> b).orElseThrow();
    assertEquals(2, receiveCount(second));
    assertEquals(3, poller.stats().messagesDeleted());
    assertEquals(1, poller.stats().messagesReportedFailed());
    assertEquals(0, poller.stats().batchesFailed());
  }

  @Test
  void anExceptionDeletesNothing() {
    var q = queues(5);
    send(q, "a", "b");
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c -> c.reportBatchItemFailures(true).pollers(1),
            (event, context) -> {
              seen.addAll(event.getRecords());
              if (event.getRecords().stream().anyMatch(m -> receiveCount(m) == 1)) {
                throw new IllegalStateException("spoke crashed");
              }
              return null; // null response: every message succeeded
            });
    assertTrue(poller.awaitQuiescent(WAIT));

    assertEquals(List.of("a", "a", "b", "b"), bodies(seen));
    assertTrue(poller.stats().batchesFailed() >= 1);
    assertEquals(2, poller.stats().messagesDeleted());
    assertTrue(log.stream().anyMatch(l -> l.contains("spoke crashed")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not-a-message-id", ""})
  void aResponseNamingAnUnknownOrEmptyIdFailsTheWholeBatch(String badId) {
    var q = queues(5);
    send(q, "a", "b");
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c -> c.reportBatchItemFailures(true).pollers(1),
            (event, context) -> {
              seen.addAll(event.getRecords());
              boolean first = event.getRecords().stream().anyMatch(m -> receiveCount(m) == 1);
              return first ? failing(badId) : new SQSBatchResponse(List.of());
            });
    assertTrue(poller.awaitQuiescent(WAIT));

    assertEquals(List.of("a", "a", "b", "b"), bodies(seen));
    assertTrue(
        seen.stream().filter(m -> receiveCount(m) == 2).count() == 2, "both were received again");
    assertTrue(poller.stats().batchesFailed() >= 1);
  }

  @Test
  void withoutReportBatchItemFailuresAReturnedFailureListIsIgnored() {
    var q = queues(5);
    send(q, "a", "b");
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c -> c.reportBatchItemFailures(false),
            (event, context) -> {
              seen.addAll(event.getRecords());
              return failing(event.getRecords().get(0).getMessageId());
            });
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(List.of("a", "b"), bodies(seen));
    assertEquals(2, poller.stats().messagesDeleted());
  }

  @Test
  void aHandlerOverrunningTheFunctionTimeoutFailsItsBatch() {
    var q = queues(5);
    send(q, "slow");
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c -> c.functionTimeout(Duration.ofSeconds(1)).reportBatchItemFailures(true),
            (event, context) -> {
              seen.addAll(event.getRecords());
              if (receiveCount(event.getRecords().get(0)) == 1) {
                try {
                  new CountDownLatch(1).await(); // blocks until the timeout interrupts it
                } catch (InterruptedException e) {
                  throw new IllegalStateException("interrupted at the deadline", e);
                }
              }
              return null;
            });
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(List.of("slow", "slow"), bodies(seen));
    assertEquals(1, poller.stats().batchesFailed());
    assertTrue(log.stream().anyMatch(l -> l.contains("Task timed out after 1.0 seconds")));
  }

  @Test
  void concurrencyNeverExceedsMaximumConcurrency() {
    var q = queues(5);
    String[] bodies = new String[24];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = "m" + i;
    }
    send(q, bodies);
    AtomicInteger current = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    var poller =
        start(
            q,
            c -> c.maximumConcurrency(2).pollers(5).batchSize(1),
            (event, context) -> {
              peak.accumulateAndGet(current.incrementAndGet(), Math::max);
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // simulated work
              current.decrementAndGet();
              return null;
            });
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(24, poller.stats().invocations());
    assertEquals(2, peak.get(), "peak concurrency");
    assertTrue(poller.stats().peakInFlight() <= 2);
  }

  @Test
  void eachEnvironmentRunsOneInvocationAtATimeAndIsReused() {
    var q = queues(5);
    String[] bodies = new String[24];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = "m" + i;
    }
    send(q, bodies);
    AtomicInteger environments = new AtomicInteger();
    Set<Object> overlapped = ConcurrentHashMap.newKeySet();
    var builder =
        SqsEventSourceConfig.builder()
            .queue(q.queueUrl(), q.queueArn())
            .functionTimeout(Duration.ofSeconds(1))
            .maximumConcurrency(3)
            .pollers(5)
            .batchSize(1)
            .logSink(log::add);
    var poller =
        SqsEventSourcePoller.start(
            sqs,
            builder.build(),
            () -> {
              environments.incrementAndGet();
              AtomicInteger busy = new AtomicInteger();
              return new RequestHandler<SQSEvent, SQSBatchResponse>() {
                @Override
                public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
                  if (busy.incrementAndGet() > 1) {
                    overlapped.add(this);
                  }
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // simulated work
                  busy.decrementAndGet();
                  return null;
                }
              };
            });
    pollers.add(poller);
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(24, poller.stats().invocations());
    assertTrue(
        environments.get() >= 1 && environments.get() <= 3,
        "environments: " + environments.get() + " for a maximum concurrency of 3");
    assertEquals(Set.of(), overlapped, "an environment ran two invocations at once");
  }

  @Test
  void theBatchingWindowGathersMessagesIntoOneBatch() {
    // The visibility timeout must outlast the window, or a gathered message reappears in it.
    var q = queues(5, Duration.ofSeconds(10));
    var batches = new ConcurrentLinkedQueue<Integer>();
    var poller =
        start(
            q,
            c -> c.batchSize(10).maximumBatchingWindow(Duration.ofSeconds(2)).pollers(1),
            (event, context) -> {
              batches.add(event.getRecords().size());
              return null;
            });
    for (int i = 0; i < 4; i++) {
      int n = i;
      sqs.sendMessage(b -> b.queueUrl(q.queueUrl()).messageBody("w" + n));
    }
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(List.of(4), List.copyOf(batches));
  }

  @Test
  void aBatchLargerThanTenIsAssembledFromSeveralReceives() {
    var q = queues(5, Duration.ofSeconds(10));
    String[] bodies = new String[25];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = "b" + i;
    }
    send(q, bodies);
    var batches = new ConcurrentLinkedQueue<Integer>();
    var poller =
        start(
            q,
            c -> c.batchSize(25).maximumBatchingWindow(Duration.ofSeconds(2)).pollers(1),
            (event, context) -> {
              batches.add(event.getRecords().size());
              return null;
            });
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(List.of(25), List.copyOf(batches));
  }

  @Test
  void theQueueRedrivesToTheDeadLetterQueueAfterMaxReceiveCount() {
    var q = queues(2);
    send(q, "poison");
    AtomicInteger calls = new AtomicInteger();
    var poller =
        start(
            q,
            c -> c.reportBatchItemFailures(true),
            (event, context) -> {
              calls.incrementAndGet();
              throw new IllegalStateException("always fails");
            });
    assertTrue(poller.awaitQuiescent(WAIT), "main queue drained");
    TestClients.await(
        "message in the DLQ",
        WAIT,
        () ->
            "1"
                .equals(
                    sqs.getQueueAttributes(
                            b ->
                                b.queueUrl(q.deadLetterQueueUrl())
                                    .attributeNames(
                                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)));
    assertEquals(2, calls.get());
    assertEquals(2, poller.stats().batchesFailed());
  }

  @Test
  void anInterceptorCanCrashAnInvocationAfterTheHandlerRan() {
    var q = queues(5);
    send(q, "once-crashed");
    AtomicInteger intercepted = new AtomicInteger();
    var seen = new ConcurrentLinkedQueue<SQSEvent.SQSMessage>();
    var poller =
        start(
            q,
            c ->
                c.interceptor(
                    event ->
                        intercepted.incrementAndGet() == 1
                            ? SqsEventSourcePoller.InvocationInterceptor.Decision.CRASH_AFTER
                            : SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE),
            (event, context) -> {
              seen.addAll(event.getRecords());
              return null;
            });
    assertTrue(poller.awaitQuiescent(WAIT));
    assertEquals(List.of("once-crashed", "once-crashed"), bodies(seen));
  }

  @Test
  void validatesSettingsAsCreateEventSourceMappingDoes() {
    var q = queues(5);
    var base = SqsEventSourceConfig.builder().queue(q.queueUrl(), q.queueArn());
    assertThrows(IllegalArgumentException.class, () -> base.batchSize(11).build());
    base.batchSize(10);
    assertThrows(IllegalArgumentException.class, () -> base.maximumConcurrency(1).build());
    base.maximumConcurrency(2);
    assertThrows(
        IllegalArgumentException.class,
        () -> base.maximumBatchingWindow(Duration.ofSeconds(301)).build());
    base.maximumBatchingWindow(Duration.ZERO);
    // Queue visibility timeout 1 s is shorter than a 2 s function timeout.
    var config = base.functionTimeout(Duration.ofSeconds(2)).build();
    assertThrows(
        IllegalArgumentException.class,
        () -> SqsEventSourcePoller.start(sqs, config, (event, context) -> null));
  }
}
