package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.sqs.Queue;

class WorkQueueTest {
  private static final int FOUR_DAYS = 4 * 24 * 3600;
  private static final int FOURTEEN_DAYS = 14 * 24 * 3600;

  @Test
  void aQueueAndItsDeadLetterQueueSizedForTheConsumer() {
    BareStack bare = new BareStack();
    WorkQueue work =
        new WorkQueue(
            bare.stack,
            "Work",
            WorkQueue.Props.builder()
                .spokeTimeoutSeconds(100)
                .batchingWindowSeconds(5)
                .maxReceiveCount(12)
                .build());

    bare.template().resourceCountIs("AWS::SQS::Queue", 2);
    Map<String, Object> queue = bare.properties(work.getQueue());
    assertEquals(6 * 100 + 5, queue.get("VisibilityTimeout"));
    assertEquals(FOUR_DAYS, queue.get("MessageRetentionPeriod"));
    assertEquals(
        Map.of(
            "deadLetterTargetArn",
            bare.getAtt(work.getDeadLetterQueue(), "Arn"),
            "maxReceiveCount",
            12),
        queue.get("RedrivePolicy"));
    Map<String, Object> deadLetters = bare.properties(work.getDeadLetterQueue());
    assertEquals(FOURTEEN_DAYS, deadLetters.get("MessageRetentionPeriod"));
    assertNull(deadLetters.get("RedrivePolicy"), "a dead-letter queue has none of its own");
    assertEquals(100, work.getSpokeTimeoutSeconds());
  }

  @Test
  void bothQueuesAreEncryptedAndRefusePlainHttp() {
    BareStack bare = new BareStack();
    WorkQueue work =
        new WorkQueue(
            bare.stack, "Work", WorkQueue.Props.builder().spokeTimeoutSeconds(60).build());
    bare.template().resourceCountIs("AWS::SQS::QueuePolicy", 2);
    for (Queue queue : List.of(work.getQueue(), work.getDeadLetterQueue())) {
      assertEquals(true, bare.properties(queue).get("SqsManagedSseEnabled"));
      assertTrue(refusesPlainHttp(bare, queue), queue.getNode().getPath());
    }
    assertEquals(
        8, (Object) at(bare.properties(work.getQueue()), "RedrivePolicy", "maxReceiveCount"));
  }

  @Test
  void refusesWhatSqsOrASpokeCannotWorkWith() {
    assertThrows(IllegalArgumentException.class, () -> WorkQueue.Props.builder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> WorkQueue.Props.builder().spokeTimeoutSeconds(60).maxReceiveCount(4).build());
  }

  @SuppressWarnings("unchecked")
  private static boolean refusesPlainHttp(BareStack bare, Queue queue) {
    for (Map<String, Object> policy : bare.resources("AWS::SQS::QueuePolicy").values()) {
      if (!((List<Object>) at(policy, "Properties", "Queues")).contains(bare.ref(queue))) {
        continue;
      }
      for (Map<String, Object> s :
          (List<Map<String, Object>>) at(policy, "Properties", "PolicyDocument", "Statement")) {
        if ("Deny".equals(s.get("Effect"))
            && "sqs:*".equals(s.get("Action"))
            && Map.of("Bool", Map.of("aws:SecureTransport", "false")).equals(s.get("Condition"))) {
          return true;
        }
      }
    }
    return false;
  }
}
