package io.hubspoke.engines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.testkit.TestClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class ElasticMqEngineTest {
  private static ElasticMqEngine engine;
  private static SqsClient sqs;

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

  @Test
  void createsQueueAndDeadLetterQueueAsTheStackDoes() {
    var queues = ElasticMqEngine.createWorkQueues(sqs, "shape", Duration.ofSeconds(30), 5);
    assertTrue(queues.queueUrl().endsWith("/shape"), queues.queueUrl());
    assertTrue(queues.queueUrl().contains(":" + engine.endpoint().getPort() + "/"));
    assertTrue(queues.deadLetterQueueUrl().endsWith("/shape-dlq"));
    assertTrue(queues.queueArn().endsWith(":shape"), queues.queueArn());
    assertTrue(queues.deadLetterQueueArn().endsWith(":shape-dlq"));
    Map<QueueAttributeName, String> main =
        sqs.getQueueAttributes(
                b -> b.queueUrl(queues.queueUrl()).attributeNames(QueueAttributeName.ALL))
            .attributes();
    assertEquals("30", main.get(QueueAttributeName.VISIBILITY_TIMEOUT));
    assertTrue(main.get(QueueAttributeName.REDRIVE_POLICY).contains(queues.deadLetterQueueArn()));
    // ElasticMQ 1.7.1 accepts MessageRetentionPeriod on CreateQueue but neither reports nor
    // enforces it (GetQueueAttributes leaves it out), so only the queue's existence is checked.
    Map<QueueAttributeName, String> dlq =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(queues.deadLetterQueueUrl())
                        .attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes();
    assertEquals(queues.deadLetterQueueArn(), dlq.get(QueueAttributeName.QUEUE_ARN));
  }

  @Test
  void messageMovesToTheDeadLetterQueueAfterMaxReceiveCount() {
    // Visibility 0 makes a received-but-not-deleted message visible again at once.
    var queues = ElasticMqEngine.createWorkQueues(sqs, "redrive", Duration.ZERO, 2);
    sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody("poison"));

    for (int expectedCount = 1; expectedCount <= 2; expectedCount++) {
      List<Message> got = receive(queues.queueUrl());
      assertEquals(1, got.size(), "receive " + expectedCount);
      assertEquals(
          String.valueOf(expectedCount),
          got.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
    }
    // The third receive finds it over maxReceiveCount and moves it instead of returning it.
    assertEquals(List.of(), receive(queues.queueUrl()));
    List<Message> dead = receive(queues.deadLetterQueueUrl());
    assertEquals(1, dead.size());
    assertEquals("poison", dead.get(0).body());
  }

  private static List<Message> receive(String url) {
    return sqs.receiveMessage(
            b ->
                b.queueUrl(url)
                    .maxNumberOfMessages(10)
                    .waitTimeSeconds(1)
                    .messageSystemAttributeNamesWithStrings("All"))
        .messages();
  }
}
