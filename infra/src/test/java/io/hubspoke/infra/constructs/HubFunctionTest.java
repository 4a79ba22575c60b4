package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.HubspokeEnvironment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HubFunctionTest {
  private final BareStack bare = new BareStack();
  private final FunctionProps props =
      bare.functionProps("hub").memoryMb(2048).timeoutSeconds(20).build();
  private final HubFunction hub = new HubFunction(bare.stack, "HubFunction", props);

  @Test
  void theHubsHandlerWithItsSizeAndTheDeliveryDeadLetterQueue() {
    bare.template().resourceCountIs("AWS::Lambda::Function", 1);
    Map<String, Object> function = bare.properties(hub.getFunction().getFunction());
    assertEquals(HubFunction.HANDLER, function.get("Handler"));
    assertEquals(2048, function.get("MemorySize"));
    assertEquals(20, function.get("Timeout"));
    assertEquals(
        Map.of("TargetArn", bare.getAtt(props.getEventBus().getDeliveryDeadLetterQueue(), "Arn")),
        function.get("DeadLetterConfig"));
  }

  @Test
  void itsEnvironmentNamesTheTableQueuesBusAndSpokeTimeout() {
    assertEquals(
        Map.of(
            HubspokeEnvironment.TABLE_NAME, bare.ref(props.getTable().getTable()),
            HubspokeEnvironment.QUEUE_URL, bare.ref(props.getWorkQueue().getQueue()),
            HubspokeEnvironment.DEAD_LETTER_QUEUE_URL,
                bare.ref(props.getWorkQueue().getDeadLetterQueue()),
            HubspokeEnvironment.EVENT_BUS_NAME, bare.ref(props.getEventBus().getBus()),
            HubspokeEnvironment.DISPATCH_QUEUE_URL, bare.ref(props.getDispatchQueue().getQueue()),
            HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL,
                bare.ref(props.getDispatchQueue().getDeadLetterQueue()),
            HubspokeEnvironment.SPOKE_TIMEOUT_SECONDS, "60"),
        at(bare.properties(hub.getFunction().getFunction()), "Environment", "Variables"));
  }

  @Test
  void theDispatchQueueTriggersItsAliasAFewChunksAtATime() {
    Map<String, Object> mapping = bare.onlyResource("AWS::Lambda::EventSourceMapping");
    assertEquals(
        bare.getAtt(props.getDispatchQueue().getQueue(), "Arn"), mapping.get("EventSourceArn"));
    assertEquals(HubFunction.DISPATCH_BATCH_SIZE, mapping.get("BatchSize"));
    assertEquals(List.of("ReportBatchItemFailures"), mapping.get("FunctionResponseTypes"));
    assertEquals(
        Map.of("MaximumConcurrency", HubFunction.DISPATCH_MAX_CONCURRENCY),
        mapping.get("ScalingConfig"));
    assertTrue(
        mapping.get("FunctionName").toString().contains(bare.logicalId(hub.getAlias())),
        mapping.get("FunctionName").toString());
  }

  @Test
  void itMayDoExactlyWhatTheHubDoes() {
    Map<String, Set<String>> expected = bare.logsAndTraces(hub.getFunction());
    bare.allow(
        expected,
        List.of(
            props.getTable().getTable().getTableArn(),
            props.getTable().getRunsIndexArn(),
            props.getTable().getClaimableIndexArn()),
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query");
    bare.allow(
        expected,
        List.of(
            props.getWorkQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getDeadLetterQueue().getQueueArn(),
            // Lambda's dead-letter queue of failed asynchronous (scheduled) invocations.
            props.getEventBus().getDeliveryDeadLetterQueue().getQueueArn()),
        "sqs:SendMessage");
    bare.allowConsuming(expected, props.getDispatchQueue().getQueue().getQueueArn());
    bare.allow(
        expected, List.of(props.getEventBus().getBus().getEventBusArn()), "events:PutEvents");
    assertEquals(expected, bare.grants(hub.getFunction().getRole()));
  }
}
