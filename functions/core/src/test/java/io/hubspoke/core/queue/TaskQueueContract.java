package io.hubspoke.core.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.engines.ElasticMqEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

/**
 * What hubspoke relies on from SQS, through {@link TaskQueue}: SendMessageBatch of ten, every
 * message delivered, delayed retries, dead-letter entries that keep the body and carry the reason
 * as a message attribute, and a redrive policy that moves a message after {@code maxReceiveCount}
 * receives. Each test gets its own pair of queues.
 */
abstract class TaskQueueContract {
  private static final AtomicInteger QUEUES = new AtomicInteger();

  protected abstract Engines engines();

  final AtomicInteger batchCalls = new AtomicInteger();
  AwsClients clients;
  SqsClient sqs;
  ElasticMqEngine.WorkQueues queues;
  TaskQueue queue;

  @BeforeEach
  void setUp() {
    ExecutionInterceptor countBatches =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof SendMessageBatchRequest) {
              batchCalls.incrementAndGet();
            }
          }
        };
    clients = engines().clients(List.of(countBatches), Engines.Service.SQS);
    sqs = clients.sqs();
    queues = newQueues(Duration.ofSeconds(30), 5);
    queue = new TaskQueue(sqs, queues.queueUrl(), queues.deadLetterQueueUrl(), Backoff.standard());
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  /** A work queue and its DLQ, created as the stack and the local runtime create them. */
  ElasticMqEngine.WorkQueues newQueues(Duration visibility, int maxReceiveCount) {
    return ElasticMqEngine.createWorkQueues(
        sqs,
        "contract-" + QUEUES.incrementAndGet() + "-" + System.nanoTime() % 100_000,
        visibility,
        maxReceiveCount);
  }

  List<Message> receive(String url, int wanted, Duration timeout) {
    List<Message> got = new ArrayList<>();
    await(
        timeout,
        () -> {
          List<Message> batch =
              sqs.receiveMessage(
                      b ->
                          b.queueUrl(url)
                              .maxNumberOfMessages(10)
                              .waitTimeSeconds(1)
                              .messageAttributeNames("All")
                              .messageSystemAttributeNames(
                                  MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                  .messages();
          for (Message m : batch) {
            got.add(m);
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
          }
          return got.size() >= wanted;
        });
    return got;
  }

  static void await(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout);
      }
      LockSupport.parkNanos(20_000_000); // polling interval of a condition wait
    }
  }

  @Test
  void everyTaskMessageIsSentInBatchesOfTenAndDeliveredOnce() {
    String runId = RunIds.random();
    List<TaskMessage> messages =
        IntStream.range(0, 25).mapToObj(i -> new TaskMessage(runId, i)).toList();
    queue.send(messages);
    assertEquals(3, batchCalls.get(), "25 messages take three SendMessageBatch calls");
    List<Message> received = receive(queues.queueUrl(), 25, Duration.ofSeconds(20));
    Set<Integer> tasks =
        received.stream()
            .map(m -> TaskMessage.parse(m.body()))
            .peek(m -> assertEquals(runId, m.runId()))
            .map(TaskMessage::taskIndex)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(25, received.size());
    assertEquals(IntStream.range(0, 25).boxed().collect(Collectors.toSet()), tasks);
  }

  @Test
  void aDeadLetterKeepsTheBodyAndCarriesTheReason() {
    queue.deadLetter("{\"v\":1,\"runId\":\"x\"}", "unparseable message: field task", "m-1");
    queue.deadLetter("", "unparseable message: message body is not JSON", "m-2");
    queue.deadLetter("{}", "r".repeat(1500), null);
    List<Message> entries = receive(queues.deadLetterQueueUrl(), 3, Duration.ofSeconds(20));
    Map<String, Message> byBody = entries.stream().collect(Collectors.toMap(Message::body, m -> m));
    Message first = byBody.get("{\"v\":1,\"runId\":\"x\"}");
    assertEquals(
        "unparseable message: field task",
        first.messageAttributes().get("hubspoke.reason").stringValue());
    assertEquals("m-1", first.messageAttributes().get("hubspoke.sourceMessageId").stringValue());
    Message empty = byBody.get("(empty body)");
    assertEquals("m-2", empty.messageAttributes().get("hubspoke.sourceMessageId").stringValue());
    Message longReason = byBody.get("{}");
    assertEquals(
        "r".repeat(1000), longReason.messageAttributes().get("hubspoke.reason").stringValue());
    assertTrue(!longReason.messageAttributes().containsKey("hubspoke.sourceMessageId"));
  }

  @Test
  void aDelayedRetryIsHiddenUntilItsDelayHasPassed() {
    String runId = RunIds.random();
    long sent = System.nanoTime();
    queue.sendDelayed(new TaskMessage(runId, 7), 1);
    List<Message> received = receive(queues.queueUrl(), 1, Duration.ofSeconds(20));
    Duration waited = Duration.ofNanos(System.nanoTime() - sent);
    assertEquals(new TaskMessage(runId, 7), TaskMessage.parse(received.get(0).body()));
    assertTrue(waited.toMillis() >= 900, "delivered after " + waited);
  }

  @Test
  void aReceivedMessagesVisibilityIsChangedThroughItsReceiptHandle() {
    // What a heartbeat does: the message comes back when its lease ends, not after the queue's 30
    // s.
    String runId = RunIds.random();
    queue.send(List.of(new TaskMessage(runId, 3)));
    List<Message> first = new ArrayList<>();
    await(
        Duration.ofSeconds(20),
        () ->
            first.addAll(
                sqs.receiveMessage(b -> b.queueUrl(queues.queueUrl()).waitTimeSeconds(1))
                    .messages()));
    long changed = System.nanoTime();
    queue.changeVisibility(first.get(0).receiptHandle(), 2);
    List<Message> again = receive(queues.queueUrl(), 1, Duration.ofSeconds(20));
    Duration hidden = Duration.ofNanos(System.nanoTime() - changed);
    assertEquals(first.get(0).messageId(), again.get(0).messageId());
    assertEquals("2", again.get(0).attributesAsStrings().get("ApproximateReceiveCount"));
    assertTrue(
        hidden.toMillis() >= 1_900 && hidden.compareTo(Duration.ofSeconds(20)) < 0,
        "visible again after " + hidden);
  }

  @Test
  void aMessageReceivedMaxReceiveCountTimesMovesToTheDeadLetterQueue() {
    ElasticMqEngine.WorkQueues redrive = newQueues(Duration.ZERO, 2);
    sqs.sendMessage(b -> b.queueUrl(redrive.queueUrl()).messageBody("poison"));
    AtomicInteger receives = new AtomicInteger();
    await(
        Duration.ofSeconds(20),
        () -> {
          // Received and never deleted, as a consumer that keeps failing would.
          receives.addAndGet(
              sqs.receiveMessage(b -> b.queueUrl(redrive.queueUrl()).waitTimeSeconds(1))
                  .messages()
                  .size());
          return receives.get() >= 2;
        });
    // The move happens on the receive after the last allowed one, as on SQS.
    List<Message> moved = new ArrayList<>();
    await(
        Duration.ofSeconds(20),
        () -> {
          assertEquals(
              List.of(),
              sqs.receiveMessage(b -> b.queueUrl(redrive.queueUrl())).messages(),
              "not delivered a third time");
          moved.addAll(
              sqs.receiveMessage(b -> b.queueUrl(redrive.deadLetterQueueUrl())).messages());
          return !moved.isEmpty();
        });
    assertEquals("poison", moved.get(0).body());
  }
}
