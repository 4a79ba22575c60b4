package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.infra.constructs.JavaFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FunctionsTest {
  private static final Synth.Result SYNTH = Synth.defaults();

  /** name, construct, handler, memory, timeout, async DLQ expected. */
  static List<Arguments> functions() {
    HubspokeStack stack = SYNTH.stack();
    return List.of(
        Arguments.of(
            "hub",
            stack.getHub().getFunction(),
            "io.hubspoke.hub.HubHandler::handleRequest",
            1024,
            30,
            true),
        Arguments.of(
            "spoke",
            stack.getSpoke().getFunction(),
            "io.hubspoke.spoke.SpokeHandler::handleRequest",
            1024,
            60,
            false),
        Arguments.of(
            "collector",
            stack.getCollector().getFunction(),
            "io.hubspoke.collector.CollectorHandler::handleRequest",
            1024,
            300,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void java21OnArm64WithSnapStartJsonLogsAndTracing(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    Map<String, Object> props = properties(SYNTH, SYNTH.logicalId(fn.getFunction()));
    assertEquals("java21", props.get("Runtime"));
    assertEquals(List.of("arm64"), props.get("Architectures"));
    assertEquals(handler, props.get("Handler"));
    assertEquals(memory, props.get("MemorySize"));
    assertEquals(timeout, props.get("Timeout"));
    assertEquals(Map.of("ApplyOn", "PublishedVersions"), props.get("SnapStart"));
    assertEquals(Map.of("Mode", "Active"), props.get("TracingConfig"));
    assertEquals(
        Map.of("LogFormat", "JSON", "LogGroup", SYNTH.ref(fn.getLogGroup())),
        props.get("LoggingConfig"));
    assertEquals(SYNTH.getAtt(fn.getRole(), "Arn"), props.get("Role"));
    if (asyncDlq) {
      assertEquals(
          Map.of(
              "TargetArn",
              SYNTH.getAtt(SYNTH.stack().getEventBus().getDeliveryDeadLetterQueue(), "Arn")),
          props.get("DeadLetterConfig"));
    } else {
      assertNull(props.get("DeadLetterConfig"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void logGroupKeepsThirtyDays(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    assertEquals(30, properties(SYNTH, SYNTH.logicalId(fn.getLogGroup())).get("RetentionInDays"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void environmentNamesTheTableQueuesBusAndTheSpokeTimeout(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    HubspokeStack stack = SYNTH.stack();
    Map<String, Object> variables =
        at(properties(SYNTH, SYNTH.logicalId(fn.getFunction())), "Environment", "Variables");
    Map<String, Object> expected =
        new HashMap<>(
            Map.of(
                HubspokeEnvironment.TABLE_NAME, SYNTH.ref(stack.getTable().getTable()),
                HubspokeEnvironment.QUEUE_URL, SYNTH.ref(stack.getWorkQueue().getQueue()),
                HubspokeEnvironment.DEAD_LETTER_QUEUE_URL,
                    SYNTH.ref(stack.getWorkQueue().getDeadLetterQueue()),
                HubspokeEnvironment.EVENT_BUS_NAME, SYNTH.ref(stack.getEventBus().getBus()),
                HubspokeEnvironment.DISPATCH_QUEUE_URL,
                    SYNTH.ref(stack.getDispatchQueue().getQueue()),
                HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL,
                    SYNTH.ref(stack.getDispatchQueue().getDeadLetterQueue()),
                HubspokeEnvironment.SPOKE_TIMEOUT_SECONDS, "60"));
    if (fn == stack.getSpoke().getFunction()) {
      // The spoke holds the leases: hubspoke:leaseGraceSeconds, checked at synth, reaches it.
      expected.put(HubspokeEnvironment.LEASE_GRACE_SECONDS, "10");
    }
    if (fn != stack.getSpoke().getFunction()) {
      // The hub and the sweep push to the spoke's alias.
      expected.put(HubspokeEnvironment.SPOKE_FUNCTION, SYNTH.ref(stack.getSpoke().getAlias()));
    }
    assertEquals(expected, variables);
  }

  @Test
  void theLeaseGraceFromTheContextReachesTheSpoke() {
    Synth.Result custom = Synth.custom();
    Map<String, Object> variables =
        at(
            properties(
                custom, custom.logicalId(custom.stack().getSpoke().getFunction().getFunction())),
            "Environment",
            "Variables");
    assertEquals("20", variables.get(HubspokeEnvironment.LEASE_GRACE_SECONDS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void liveAliasOnThePublishedVersion(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    Map<String, Object> alias = properties(SYNTH, SYNTH.logicalId(fn.getAlias()));
    assertEquals(JavaFunction.ALIAS, alias.get("Name"));
    assertEquals(SYNTH.ref(fn.getFunction()), alias.get("FunctionName"));
    List<String> versions =
        resources(SYNTH, "AWS::Lambda::Version").entrySet().stream()
            .filter(
                v ->
                    SYNTH
                        .ref(fn.getFunction())
                        .equals(at(v.getValue(), "Properties", "FunctionName")))
            .map(Map.Entry::getKey)
            .toList();
    assertEquals(1, versions.size(), "one published version of " + name);
    assertEquals(
        Map.of("Fn::GetAtt", List.of(versions.get(0), "Version")), alias.get("FunctionVersion"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void codeIsTheShadedLambdaJar(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq)
      throws Exception {
    String s3Key = at(properties(SYNTH, SYNTH.logicalId(fn.getFunction())), "Code", "S3Key");
    assertTrue(s3Key.endsWith(".jar"), s3Key);
    // The asset manifest maps the object key back to the file staged in the cloud assembly.
    Path outdir = Path.of(SYNTH.app().getOutdir());
    Map<String, Object> manifest =
        new ObjectMapper()
            .readValue(
                outdir.resolve(SYNTH.stack().getStackName() + ".assets.json").toFile(),
                new TypeReference<Map<String, Object>>() {});
    Map<String, Object> files = at(manifest, "files");
    String sourcePath = null;
    for (Object asset : files.values()) {
      Map<String, Object> destinations = at(asset, "destinations");
      for (Object destination : destinations.values()) {
        if (s3Key.equals(at(destination, "objectKey"))) {
          sourcePath = at(asset, "source", "path");
        }
      }
    }
    assertTrue(sourcePath != null, "no asset for " + s3Key);
    Path staged = outdir.resolve(sourcePath);
    Path jar = LambdaJars.in(Synth.REPO_ROOT).jar(name);
    assertTrue(jar.getFileName().toString().endsWith("-lambda.jar"));
    assertEquals(-1L, Files.mismatch(staged, jar), staged + " differs from " + jar);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void oneRolePerFunctionAssumedByLambdaOnly(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    Map<String, Object> role = properties(SYNTH, SYNTH.logicalId(fn.getRole()));
    assertEquals(
        List.of(
            Map.of(
                "Action", "sts:AssumeRole",
                "Effect", "Allow",
                "Principal", Map.of("Service", "lambda.amazonaws.com"))),
        at(role, "AssumeRolePolicyDocument", "Statement"));
    assertNull(role.get("ManagedPolicyArns"), "no managed policies");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void noLayerWithoutWorkerJars(
      String name, JavaFunction fn, String handler, int memory, int timeout, boolean asyncDlq) {
    assertNull(properties(SYNTH, SYNTH.logicalId(fn.getFunction())).get("Layers"));
  }

  @org.junit.jupiter.api.Test
  void noLayerVersionWithoutWorkerJars() {
    assertEquals(List.of(), SYNTH.config().getWorkerJars());
    assertTrue(SYNTH.stack().getWorkerLayer().isEmpty());
    assertEquals(Map.of(), resources(SYNTH, "AWS::Lambda::LayerVersion"));
    assertEquals(Map.of(), resources(Synth.custom(), "AWS::Lambda::LayerVersion"));
  }

  @org.junit.jupiter.api.Test
  void threeFunctionsThreeRoles() {
    assertEquals(3, resources(SYNTH, "AWS::Lambda::Function").size());
    assertEquals(3, resources(SYNTH, "AWS::IAM::Role").size());
    assertEquals(3, resources(SYNTH, "AWS::Lambda::Alias").size());
  }

  @org.junit.jupiter.api.Test
  void memoryTimeoutAndRetentionAreConfigurable() {
    Synth.Result custom = Synth.custom();
    HubspokeStack stack = custom.stack();
    Map<String, Object> hub =
        properties(custom, custom.logicalId(stack.getHub().getFunction().getFunction()));
    Map<String, Object> spoke =
        properties(custom, custom.logicalId(stack.getSpoke().getFunction().getFunction()));
    Map<String, Object> collector =
        properties(custom, custom.logicalId(stack.getCollector().getFunction().getFunction()));
    assertEquals(List.of(2048, 20), List.of(hub.get("MemorySize"), hub.get("Timeout")));
    assertEquals(List.of(512, 100), List.of(spoke.get("MemorySize"), spoke.get("Timeout")));
    assertEquals(
        List.of(1536, 600), List.of(collector.get("MemorySize"), collector.get("Timeout")));
    assertEquals(
        14,
        properties(custom, custom.logicalId(stack.getSpoke().getFunction().getLogGroup()))
            .get("RetentionInDays"));
  }
}
