package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.sqs.Queue;

class WorkQueueTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void everyQueueIsEncryptedAndRefusesPlainHttp() {
    Map<String, Map<String, Object>> queues = resources(synth, "AWS::SQS::Queue");
    assertEquals(
        5, queues.size(), "work queue, dispatch queue, their DLQs, the event delivery DLQ");
    for (String id : queues.keySet()) {
      assertEquals(true, (Object) at(queues.get(id), "Properties", "SqsManagedSseEnabled"), id);
      assertTrue(hasTlsOnlyPolicy(id), id + " has no aws:SecureTransport deny statement");
    }
  }

  @Test
  void deadLetterQueueViaRedrivePolicyKeepsMessagesFourteenDays() {
    Queue queue = synth.stack().getWorkQueue().getQueue();
    Queue dlq = synth.stack().getWorkQueue().getDeadLetterQueue();
    Map<String, Object> props = properties(synth, synth.logicalId(queue));
    assertEquals(
        Map.of("deadLetterTargetArn", synth.getAtt(dlq, "Arn"), "maxReceiveCount", 8),
        props.get("RedrivePolicy"));
    assertEquals(
        14 * 24 * 3600, properties(synth, synth.logicalId(dlq)).get("MessageRetentionPeriod"));
    assertEquals(
        14 * 24 * 3600,
        properties(synth, synth.logicalId(synth.stack().getEventBus().getDeliveryDeadLetterQueue()))
            .get("MessageRetentionPeriod"));
  }

  @Test
  void visibilityTimeoutIsSixSpokeTimeoutsPlusTheBatchingWindow() {
    Queue queue = synth.stack().getWorkQueue().getQueue();
    assertEquals(6 * 60 + 0, properties(synth, synth.logicalId(queue)).get("VisibilityTimeout"));

    Synth.Result custom = Synth.custom();
    Map<String, Object> props =
        properties(custom, custom.logicalId(custom.stack().getWorkQueue().getQueue()));
    assertEquals(6 * 100 + 5, props.get("VisibilityTimeout"));
    assertEquals(12, (Object) at(props, "RedrivePolicy", "maxReceiveCount"));
  }

  @SuppressWarnings("unchecked")
  private boolean hasTlsOnlyPolicy(String queueId) {
    for (Map<String, Object> policy : resources(synth, "AWS::SQS::QueuePolicy").values()) {
      List<Object> queues = at(policy, "Properties", "Queues");
      if (!queues.contains(Map.of("Ref", queueId))) {
        continue;
      }
      List<Map<String, Object>> statements =
          at(policy, "Properties", "PolicyDocument", "Statement");
      for (Map<String, Object> s : statements) {
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
