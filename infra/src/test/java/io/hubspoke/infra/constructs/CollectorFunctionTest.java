package io.hubspoke.infra.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollectorFunctionTest {
  private final BareStack bare = new BareStack();
  private final FunctionProps props =
      bare.functionProps("collector").memoryMb(1536).timeoutSeconds(300).build();
  private final CollectorFunction collector =
      new CollectorFunction(bare.stack, "CollectorFunction", props);

  @Test
  void theCollectorsHandlerInvokedByRulesWithTheDeliveryDeadLetterQueue() {
    bare.template().resourceCountIs("AWS::Lambda::Function", 1);
    bare.template().resourceCountIs("AWS::Lambda::EventSourceMapping", 0);
    Map<String, Object> function = bare.properties(collector.getFunction().getFunction());
    assertEquals(CollectorFunction.HANDLER, function.get("Handler"));
    assertEquals(1536, function.get("MemorySize"));
    assertEquals(300, function.get("Timeout"));
    assertEquals(
        Map.of("TargetArn", bare.getAtt(props.getEventBus().getDeliveryDeadLetterQueue(), "Arn")),
        function.get("DeadLetterConfig"));
  }

  @Test
  void itMayDoExactlyWhatTheCollectorAndItsSweepDo() {
    Map<String, Set<String>> expected = bare.logsAndTraces(collector.getFunction());
    bare.allow(
        expected,
        List.of(props.getTable().getTable().getTableArn(), props.getTable().getOpenRunsIndexArn()),
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem");
    // The sweep re-sends tasks, resumes stalled dispatches, and reads the work queue's backlog.
    bare.allow(
        expected,
        List.of(
            props.getWorkQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getQueue().getQueueArn(),
            props.getEventBus().getDeliveryDeadLetterQueue().getQueueArn()),
        "sqs:SendMessage");
    bare.allow(
        expected, List.of(props.getWorkQueue().getQueue().getQueueArn()), "sqs:GetQueueAttributes");
    bare.allow(
        expected, List.of(props.getEventBus().getBus().getEventBusArn()), "events:PutEvents");
    assertEquals(expected, bare.grants(collector.getFunction().getRole()));
  }
}
