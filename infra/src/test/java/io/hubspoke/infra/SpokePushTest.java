package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.infra.constructs.SpokePush;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Push dispatch in the template: the spoke alias's asynchronous invocations are retried twice, then
 * their record goes to the work DLQ (an on-failure destination on the alias, not the function).
 */
class SpokePushTest {
  @Test
  @SuppressWarnings("unchecked")
  void theSpokeAliasRetriesAnEventTwiceThenSendsItToTheWorkDeadLetterQueue() throws Exception {
    Synth.Result synth = Synth.defaults();
    HubspokeStack stack = synth.stack();
    Map<String, Map<String, Object>> configs = resources(synth, "AWS::Lambda::EventInvokeConfig");
    assertEquals(1, configs.size(), configs.toString());
    Map<String, Object> props =
        (Map<String, Object>) configs.values().iterator().next().get("Properties");
    assertEquals(SpokePush.RETRY_ATTEMPTS, props.get("MaximumRetryAttempts"));
    assertEquals(2, props.get("MaximumRetryAttempts"));
    assertEquals(6 * 3600, props.get("MaximumEventAgeInSeconds"));
    assertEquals(
        synth.ref(stack.getSpoke().getFunction().getFunction()), props.get("FunctionName"));
    // The alias's name, taken from its ARN (…:function:NAME:live): the alias, not $LATEST.
    assertEquals(
        Map.of(
            "Fn::Select",
            List.of(7, Map.of("Fn::Split", List.of(":", synth.ref(stack.getSpoke().getAlias()))))),
        props.get("Qualifier"));
    assertEquals(
        Map.of(
            "OnFailure",
            Map.of("Destination", synth.getAtt(stack.getWorkQueue().getDeadLetterQueue(), "Arn"))),
        props.get("DestinationConfig"));
  }
}
