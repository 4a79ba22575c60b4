package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.list;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.infra.constructs.JavaFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The synthesized IAM policy of each function, statement by statement: exactly the actions it uses,
 * on exactly its resources.
 */
class IamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Synth.Result synth = Synth.defaults();
  private final HubspokeStack stack = synth.stack();

  @Test
  void hub() throws Exception {
    JavaFunction fn = stack.getHub().getFunction();
    Map<String, Set<String>> expected = common(fn);
    grant(
        expected,
        List.of(table(), runsIndex(), claimableIndex()),
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query");
    grant(
        expected,
        List.of(
            arn(stack.getWorkQueue().getQueue()),
            arn(stack.getDispatchQueue().getQueue()),
            arn(stack.getDispatchQueue().getDeadLetterQueue())),
        "sqs:SendMessage");
    // What the dispatch queue's event source mapping needs (granted by CDK for the SQS trigger).
    grant(
        expected,
        List.of(arn(stack.getDispatchQueue().getQueue())),
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl");
    grant(expected, List.of(arn(stack.getEventBus().getBus())), "events:PutEvents");
    // Lambda's dead-letter queue for failed asynchronous (scheduled) invocations.
    grant(
        expected,
        List.of(arn(stack.getEventBus().getDeliveryDeadLetterQueue())),
        "sqs:SendMessage");
    // Push runs: the spoke's alias, and nothing else of it.
    grant(expected, List.of(spokeAlias()), "lambda:InvokeFunction");
    assertEquals(expected, actual(fn));
  }

  @Test
  void spoke() throws Exception {
    JavaFunction fn = stack.getSpoke().getFunction();
    Map<String, Set<String>> expected = common(fn);
    grant(
        expected,
        List.of(table()),
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem");
    grant(expected, List.of(claimableIndex()), "dynamodb:Query");
    grant(
        expected,
        List.of(
            arn(stack.getWorkQueue().getQueue()), arn(stack.getWorkQueue().getDeadLetterQueue())),
        "sqs:SendMessage");
    grant(expected, List.of(arn(stack.getEventBus().getBus())), "events:PutEvents");
    // Lambda sends a push invocation that failed all its retries to the work DLQ, the alias's
    // on-failure destination, with the function's role (CDK's grant for an SQS destination).
    grant(
        expected,
        List.of(arn(stack.getWorkQueue().getDeadLetterQueue())),
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl");
    // What the event source mapping needs (granted by CDK for the SQS trigger). The spoke's
    // heartbeats use ChangeMessageVisibility too, with the receipt handle the event carries.
    grant(
        expected,
        List.of(arn(stack.getWorkQueue().getQueue())),
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl");
    assertEquals(expected, actual(fn));
  }

  @Test
  void collector() throws Exception {
    JavaFunction fn = stack.getCollector().getFunction();
    Map<String, Set<String>> expected = common(fn);
    grant(
        expected,
        List.of(table(), openRunsIndex()),
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem");
    // The sweep re-sends tasks, resumes stalled dispatches, and reads the work queue's backlog.
    grant(
        expected,
        List.of(arn(stack.getWorkQueue().getQueue()), arn(stack.getDispatchQueue().getQueue())),
        "sqs:SendMessage");
    grant(expected, List.of(arn(stack.getWorkQueue().getQueue())), "sqs:GetQueueAttributes");
    grant(expected, List.of(arn(stack.getEventBus().getBus())), "events:PutEvents");
    grant(
        expected,
        List.of(arn(stack.getEventBus().getDeliveryDeadLetterQueue())),
        "sqs:SendMessage");
    // The sweep pushes a push run's overdue tasks again: the spoke's alias only.
    grant(expected, List.of(spokeAlias()), "lambda:InvokeFunction");
    assertEquals(expected, actual(fn));
  }

  @Test
  @SuppressWarnings("unchecked")
  void noWildcardActionsAndTheOnlyStarResourceIsXRay() {
    for (Map.Entry<String, Map<String, Object>> policy :
        resources(synth, "AWS::IAM::Policy").entrySet()) {
      for (Map<String, Object> s :
          (List<Map<String, Object>>)
              at(policy.getValue(), "Properties", "PolicyDocument", "Statement")) {
        assertEquals("Allow", s.get("Effect"));
        for (Object action : list(s.get("Action"))) {
          assertFalse(action.toString().contains("*"), policy.getKey() + ": " + action);
        }
        if (list(s.get("Resource")).contains("*")) {
          assertEquals(
              Set.of("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
              Set.copyOf(list(s.get("Action"))),
              policy.getKey());
        }
      }
    }
    assertEquals(3, resources(synth, "AWS::IAM::Policy").size(), "one policy per function role");
  }

  /** Log writing into its own group, and X-Ray. */
  private Map<String, Set<String>> common(JavaFunction fn) throws Exception {
    Map<String, Set<String>> expected = new TreeMap<>();
    grant(expected, List.of(arn(fn.getLogGroup())), "logs:CreateLogStream", "logs:PutLogEvents");
    grant(expected, List.of("*"), "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    return expected;
  }

  private static void grant(
      Map<String, Set<String>> into, List<Object> resources, String... actions) throws Exception {
    for (Object resource : resources) {
      into.computeIfAbsent(JSON.writeValueAsString(resource), k -> new TreeSet<>())
          .addAll(List.of(actions));
    }
  }

  /** Resource (as JSON) -> actions allowed on it, over the function role's whole policy. */
  @SuppressWarnings("unchecked")
  private Map<String, Set<String>> actual(JavaFunction fn) throws Exception {
    Map<String, Object> roleRef = synth.ref(fn.getRole());
    List<Map<String, Object>> policies = new ArrayList<>();
    for (Map<String, Object> policy : resources(synth, "AWS::IAM::Policy").values()) {
      if (((List<Object>) at(policy, "Properties", "Roles")).contains(roleRef)) {
        policies.add(policy);
      }
    }
    assertEquals(1, policies.size());
    Map<String, Set<String>> actual = new TreeMap<>();
    for (Map<String, Object> s :
        (List<Map<String, Object>>)
            at(policies.get(0), "Properties", "PolicyDocument", "Statement")) {
      assertEquals("Allow", s.get("Effect"));
      assertTrue(!s.containsKey("NotAction") && !s.containsKey("NotResource"));
      List<Object> actions = list(s.get("Action"));
      grant(
          actual,
          list(s.get("Resource")),
          actions.stream().map(Object::toString).toArray(String[]::new));
    }
    return actual;
  }

  /** The spoke's alias ARN (an alias's Ref): what the hub and the sweep may invoke. */
  private Object spokeAlias() {
    return synth.ref(stack.getSpoke().getAlias());
  }

  @Test
  @SuppressWarnings("unchecked")
  void onlyTheSpokeAliasMayBeInvokedForPushNeverTheFunctionOrAWildcard() {
    Object alias = spokeAlias();
    Object function = synth.getAtt(stack.getSpoke().getFunction().getFunction(), "Arn");
    int invokes = 0;
    for (Map<String, Object> policy : resources(synth, "AWS::IAM::Policy").values()) {
      for (Map<String, Object> s :
          (List<Map<String, Object>>) at(policy, "Properties", "PolicyDocument", "Statement")) {
        if (list(s.get("Action")).contains("lambda:InvokeFunction")) {
          invokes++;
          assertEquals(List.of(alias), list(s.get("Resource")), s.toString());
          assertFalse(list(s.get("Resource")).contains(function), s.toString());
        }
      }
    }
    assertEquals(2, invokes, "the hub's and the collector's push grants, and no other");
  }

  private Object table() {
    return synth.getAtt(stack.getTable().getTable(), "Arn");
  }

  private Object runsIndex() {
    return synth.resolve(stack.getTable().getRunsIndexArn());
  }

  private Object claimableIndex() {
    return synth.resolve(stack.getTable().getClaimableIndexArn());
  }

  private Object openRunsIndex() {
    return synth.resolve(stack.getTable().getOpenRunsIndexArn());
  }

  private Object arn(software.constructs.IConstruct construct) {
    return synth.getAtt(construct, "Arn");
  }
}
