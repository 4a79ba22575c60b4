package io.hubspoke.infra.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

class HubspokeEventBusTest {
  @Test
  void aCustomBusAndTheDeadLetterQueueOfEverythingDeliveredFromIt() {
    BareStack bare = new BareStack();
    HubspokeEventBus events =
        new HubspokeEventBus(bare.stack, "Events", HubspokeEventBus.Props.builder().build());

    bare.template().resourceCountIs("AWS::Events::EventBus", 1);
    bare.template().resourceCountIs("AWS::SQS::Queue", 1);
    Map<String, Object> bus = bare.properties(events.getBus());
    assertEquals("hubspoke run lifecycle events", bus.get("Description"));
    Map<String, Object> deadLetters = bare.properties(events.getDeliveryDeadLetterQueue());
    assertEquals(true, deadLetters.get("SqsManagedSseEnabled"));
    assertEquals(14 * 24 * 3600, deadLetters.get("MessageRetentionPeriod"));
    assertNull(deadLetters.get("RedrivePolicy"));
    bare.template()
        .hasResourceProperties(
            "AWS::SQS::QueuePolicy",
            Map.of(
                "Queues",
                List.of(bare.ref(events.getDeliveryDeadLetterQueue())),
                "PolicyDocument",
                Map.of(
                    "Statement",
                    Match.arrayWith(
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Effect",
                                    "Deny",
                                    "Condition",
                                    Map.of("Bool", Map.of("aws:SecureTransport", "false")))))),
                    "Version",
                    "2012-10-17")));
  }

  @Test
  void theDescriptionIsAProp() {
    BareStack bare = new BareStack();
    HubspokeEventBus events =
        new HubspokeEventBus(
            bare.stack, "Events", HubspokeEventBus.Props.builder().description("test bus").build());
    assertEquals("test bus", bare.properties(events.getBus()).get("Description"));
  }
}
