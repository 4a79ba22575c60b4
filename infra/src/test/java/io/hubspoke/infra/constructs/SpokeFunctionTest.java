package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.HubspokeEnvironment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpokeFunctionTest {
  private final BareStack bare = new BareStack();
  private final FunctionProps props = bare.functionProps("spoke").timeoutSeconds(60).build();
  private final SpokeFunction spoke =
      new SpokeFunction(
          bare.stack,
          "SpokeFunction",
          SpokeFunction.Props.builder()
              .function(props)
              .batchSize(20)
              .batchingWindowSeconds(3)
              .maxConcurrency(7)
              .leaseGraceSeconds(15)
              .build());

  @Test
  void theSpokesHandlerHoldingTheLeasesWithTheGraceItWasGiven() {
    bare.template().resourceCountIs("AWS::Lambda::Function", 1);
    Map<String, Object> function = bare.properties(spoke.getFunction().getFunction());
    assertEquals(SpokeFunction.HANDLER, function.get("Handler"));
    assertEquals(60, function.get("Timeout"));
    Map<String, Object> variables = at(function, "Environment", "Variables");
    assertEquals("15", variables.get(HubspokeEnvironment.LEASE_GRACE_SECONDS));
    assertEquals(
        bare.ref(props.getTable().getTable()), variables.get(HubspokeEnvironment.TABLE_NAME));
    assertEquals(8, variables.size(), variables.toString());
    // Invoked synchronously only (by its event source mapping): no asynchronous DLQ.
    assertNull(function.get("DeadLetterConfig"));
  }

  @Test
  void theWorkQueueTriggersItsAliasWithBatchItemFailures() {
    Map<String, Object> mapping = bare.onlyResource("AWS::Lambda::EventSourceMapping");
    assertEquals(
        bare.getAtt(props.getWorkQueue().getQueue(), "Arn"), mapping.get("EventSourceArn"));
    assertEquals(20, mapping.get("BatchSize"));
    assertEquals(3, mapping.get("MaximumBatchingWindowInSeconds"));
    assertEquals(Map.of("MaximumConcurrency", 7), mapping.get("ScalingConfig"));
    assertEquals(List.of("ReportBatchItemFailures"), mapping.get("FunctionResponseTypes"));
    String functionName = mapping.get("FunctionName").toString();
    assertTrue(functionName.contains(bare.logicalId(spoke.getAlias())), functionName);
    assertTrue(functionName.contains(":" + JavaFunction.ALIAS), functionName);
  }

  @Test
  void itMayDoExactlyWhatASpokeDoes() {
    Map<String, Set<String>> expected = bare.logsAndTraces(spoke.getFunction());
    bare.allow(
        expected,
        List.of(props.getTable().getTable().getTableArn()),
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem");
    // Hybrid runs: a woken spoke queries the claimable index, and nothing else of it.
    bare.allow(expected, List.of(props.getTable().getClaimableIndexArn()), "dynamodb:Query");
    bare.allow(
        expected,
        List.of(
            props.getWorkQueue().getQueue().getQueueArn(),
            props.getWorkQueue().getDeadLetterQueue().getQueueArn()),
        "sqs:SendMessage");
    bare.allowConsuming(expected, props.getWorkQueue().getQueue().getQueueArn());
    bare.allow(
        expected, List.of(props.getEventBus().getBus().getEventBusArn()), "events:PutEvents");
    assertEquals(expected, bare.grants(spoke.getFunction().getRole()));
  }

  @Test
  void aConcurrencyBelowSqssMinimumIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SpokeFunction.Props.builder().function(props).maxConcurrency(1).build());
  }
}
