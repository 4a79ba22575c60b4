package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.infra.constructs.JavaFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/**
 * The whole stack with {@code hubspoke:workerFunctions} set as {@code -c} passes it: the hub and
 * the spoke know the list, and only their roles may invoke, exactly those functions (the spoke runs
 * the {@code lambda} worker, the hub a {@code lambda} source's pages). Without the key no role may
 * invoke any function ({@link IamTest}).
 */
class WorkerFunctionsTest {
  private static final String LIST =
      "resize, arn:aws:lambda:eu-west-1:123456789012:function:report:live";
  private static final Synth.Result SYNTH =
      Synth.get("workerFunctions", Map.of(HubspokeConfig.WORKER_FUNCTIONS, LIST));

  @Test
  void theHubAndTheSpokeKnowTheListTheCollectorDoesNot() {
    String expected = "resize,arn:aws:lambda:eu-west-1:123456789012:function:report:live";
    HubspokeStack stack = SYNTH.stack();
    assertEquals(expected, environmentOf(stack.getHub().getFunction()));
    assertEquals(expected, environmentOf(stack.getSpoke().getFunction()));
    assertEquals(null, environmentOf(stack.getCollector().getFunction()));
  }

  @Test
  void onlyTheSpokeAndTheHubMayInvokeAndOnlyTheListedFunctions() {
    List<String> invokers = new ArrayList<>();
    List<Object> resourcesInvoked = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> policy :
        resources(SYNTH, "AWS::IAM::Policy").entrySet()) {
      for (Object statement :
          (List<?>) at(policy.getValue(), "Properties", "PolicyDocument", "Statement")) {
        Object actions = ((Map<?, ?>) statement).get("Action");
        if (SYNTH
            .ref(SYNTH.stack().getSpoke().getAlias())
            .equals(((Map<?, ?>) statement).get("Resource"))) {
          continue; // the push grant on the spoke's own alias (IamTest), not a worker function
        }
        if (String.valueOf(actions).contains("lambda:InvokeFunction")) {
          assertEquals("lambda:InvokeFunction", actions, "the one action");
          invokers.add(policy.getKey());
          resourcesInvoked.addAll((List<?>) ((Map<?, ?>) statement).get("Resource"));
        }
      }
    }
    assertEquals(2, invokers.size(), invokers.toString());
    assertEquals(
        List.of("HubFunction", "SpokeFunction"),
        invokers.stream()
            .map(
                id ->
                    id.startsWith("HubFunction")
                        ? "HubFunction"
                        : id.startsWith("SpokeFunction") ? "SpokeFunction" : id)
            .sorted()
            .toList());
    String here = "arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:resize";
    List<String> listed =
        List.of(here, here + ":*", "arn:aws:lambda:eu-west-1:123456789012:function:report:live");
    List<String> both = new ArrayList<>(listed);
    both.addAll(listed);
    assertEquals(both, resourcesInvoked.stream().map(WorkerFunctionsTest::flatten).toList());
  }

  @Test
  void cdkNagFindsNothingUnsuppressed() {
    assertEquals(
        List.of(),
        Annotations.fromStack(SYNTH.stack()).findError("*", Match.anyValue()).stream()
            .map(m -> m.getId() + ": " + m.getEntry().getData())
            .toList());
  }

  @Test
  void aListEntryThatNamesNoFunctionFailsTheSynthNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HubspokeConfig.fromMap(
                    Map.of(
                        HubspokeConfig.WORKER_FUNCTIONS, "resize,not a function,arn:aws:s3:::b")));
    assertTrue(e.getMessage().startsWith(HubspokeConfig.WORKER_FUNCTIONS + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("'not a function'"), e.getMessage());
    assertTrue(e.getMessage().contains("'arn:aws:s3:::b'"), e.getMessage());
    assertTrue(e.getMessage().contains("give a function name (my-function)"), e.getMessage());
  }

  private static Object environmentOf(JavaFunction fn) {
    Object variables =
        at(properties(SYNTH, SYNTH.logicalId(fn.getFunction())), "Environment", "Variables");
    return ((Map<?, ?>) variables).get(HubspokeEnvironment.WORKER_FUNCTIONS);
  }

  /** A {@code Fn::Join} of literals and {@code Ref}s as one string, the refs in braces. */
  private static String flatten(Object resource) {
    if (resource instanceof String s) {
      return s;
    }
    StringBuilder text = new StringBuilder();
    for (Object part : (List<?>) ((List<?>) ((Map<?, ?>) resource).get("Fn::Join")).get(1)) {
      text.append(part instanceof Map<?, ?> ref ? "{" + ref.get("Ref") + "}" : part);
    }
    return text.toString();
  }
}
