package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.infra.LambdaJars;
import io.hubspoke.infra.TemplateJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionAttributes;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.IConstruct;

/**
 * One construct built alone, as aws-cdk-examples tests a construct: a {@code new Stack(new App(),
 * "Test")} holding the construct and only what it is handed, without the app's configuration. The
 * assembly goes under {@code target/}, and the Lambda jars are not staged (copied) into it: the
 * template names a jar by the same hash either way, and a 13 MB copy per test is nothing but disk.
 */
final class BareStack {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger APPS = new AtomicInteger();
  private static final Path REPO_ROOT =
      Path.of(System.getProperty("hubspoke.repoRoot", "..")).toAbsolutePath().normalize();

  final Stack stack;
  private Template template;

  BareStack() {
    Path outdir =
        Path.of(
            System.getProperty("hubspoke.testOutdir", "target/cdk-test-out"),
            "bare-" + APPS.incrementAndGet());
    App app =
        new App(
            AppProps.builder()
                .outdir(outdir.toString())
                .context(Map.of("aws:cdk:disable-asset-staging", true))
                .build());
    this.stack = new Stack(app, "Test");
  }

  /** The shaded Lambda jar of {@code function}, which the reactor packages before these tests. */
  static Path jar(String function) {
    return LambdaJars.in(REPO_ROOT).jar(function);
  }

  /**
   * A function the stack does not own, known by its ARN (as aws-cdk-examples stand in for a
   * dependency): the construct under test may still grant others the right to invoke it.
   */
  IFunction importedFunction(String id, String name) {
    return Function.fromFunctionAttributes(
        stack,
        id,
        FunctionAttributes.builder().functionArn(functionArn(name)).sameEnvironment(true).build());
  }

  static String functionArn(String name) {
    return "arn:aws:lambda:eu-west-1:123456789012:function:" + name + ":live";
  }

  /**
   * What the hub, spoke and collector are handed: {@code function}'s jar, the table, the work and
   * dispatch queues and the bus, built here in the same stack.
   */
  FunctionProps.Builder functionProps(String function) {
    return FunctionProps.builder()
        .jar(jar(function))
        .table(new HubspokeTable(stack, "Store", HubspokeTable.Props.builder().build()))
        .workQueue(
            new WorkQueue(stack, "Work", WorkQueue.Props.builder().spokeTimeoutSeconds(60).build()))
        .dispatchQueue(
            new WorkQueue(
                stack, "Dispatch", WorkQueue.Props.builder().spokeTimeoutSeconds(30).build()))
        .eventBus(new HubspokeEventBus(stack, "Events", HubspokeEventBus.Props.builder().build()));
  }

  /** The synthesized template; build every construct first. */
  Template template() {
    if (template == null) {
      template = Template.fromStack(stack);
    }
    return template;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> json() {
    return (Map<String, Object>) template().toJSON();
  }

  /** The resources of {@code type}, by logical id. */
  @SuppressWarnings("unchecked")
  Map<String, Map<String, Object>> resources(String type) {
    Map<String, Map<String, Object>> found = new LinkedHashMap<>();
    Map<String, Object> resources = at(json(), "Resources");
    resources.forEach(
        (id, resource) -> {
          if (type.equals(((Map<String, Object>) resource).get("Type"))) {
            found.put(id, (Map<String, Object>) resource);
          }
        });
    return found;
  }

  /** The properties of the one resource of {@code type}; fails unless there is exactly one. */
  Map<String, Object> onlyResource(String type) {
    Map<String, Map<String, Object>> found = resources(type);
    assertEquals(1, found.size(), type + ": " + found.keySet());
    return at(found.values().iterator().next(), "Properties");
  }

  /** The properties of the resource behind {@code construct}. */
  Map<String, Object> properties(IConstruct construct) {
    Map<String, Object> properties = at(json(), "Resources", logicalId(construct), "Properties");
    assertNotNull(properties, "no resource " + construct.getNode().getPath());
    return properties;
  }

  String logicalId(IConstruct construct) {
    return TemplateJson.logicalId(stack, construct);
  }

  Map<String, Object> ref(IConstruct construct) {
    return TemplateJson.ref(stack, construct);
  }

  Map<String, Object> getAtt(IConstruct construct, String attribute) {
    return TemplateJson.getAtt(stack, construct, attribute);
  }

  /** Asserts that {@code principal} may invoke {@code functionArn}, from {@code source} only. */
  void assertMayInvoke(String functionArn, String principal, IConstruct source) {
    template()
        .hasResourceProperties(
            "AWS::Lambda::Permission",
            Map.of(
                "Action",
                "lambda:InvokeFunction",
                "FunctionName",
                functionArn,
                "Principal",
                principal,
                "SourceArn",
                getAtt(source, "Arn")));
  }

  /**
   * What {@code role}'s one policy allows: each resource (as JSON) with the actions allowed on it.
   */
  @SuppressWarnings("unchecked")
  Map<String, Set<String>> grants(IRole role) {
    List<Map<String, Object>> policies = new ArrayList<>();
    for (Map<String, Object> policy : resources("AWS::IAM::Policy").values()) {
      if (((List<Object>) at(policy, "Properties", "Roles")).contains(ref(role))) {
        policies.add(policy);
      }
    }
    assertEquals(1, policies.size(), "policies of " + role.getNode().getPath());
    Map<String, Set<String>> grants = new TreeMap<>();
    for (Map<String, Object> statement :
        (List<Map<String, Object>>)
            at(policies.get(0), "Properties", "PolicyDocument", "Statement")) {
      assertEquals("Allow", statement.get("Effect"), statement.toString());
      for (Object resource : list(statement.get("Resource"))) {
        for (Object action : list(statement.get("Action"))) {
          grants.computeIfAbsent(json(resource), k -> new TreeSet<>()).add(action.toString());
        }
      }
    }
    return grants;
  }

  /** {@code resource} (a token, an ARN) in the form {@link #grants} keys it by. */
  String grantKey(Object resource) {
    return json(stack.resolve(resource));
  }

  /** Adds {@code actions} on each of {@code resources} to {@code grants} (see {@link #grants}). */
  void allow(Map<String, Set<String>> grants, List<?> resources, String... actions) {
    for (Object resource : resources) {
      grants.computeIfAbsent(grantKey(resource), k -> new TreeSet<>()).addAll(List.of(actions));
    }
  }

  /**
   * What an SQS event source mapping of {@code queueArn} needs (CDK grants it with the trigger).
   */
  void allowConsuming(Map<String, Set<String>> grants, String queueArn) {
    allow(
        grants,
        List.of(queueArn),
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl");
  }

  /** What every {@link JavaFunction}'s role may do: write its own logs, and traces. */
  Map<String, Set<String>> logsAndTraces(JavaFunction fn) {
    Map<String, Set<String>> grants = new TreeMap<>();
    allow(
        grants,
        List.of(getAtt(fn.getLogGroup(), "Arn")),
        "logs:CreateLogStream",
        "logs:PutLogEvents");
    allow(grants, List.of("*"), "xray:PutTraceSegments", "xray:PutTelemetryRecords");
    return grants;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
