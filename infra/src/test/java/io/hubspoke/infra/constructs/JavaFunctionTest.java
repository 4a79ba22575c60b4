package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.Queue;

class JavaFunctionTest {
  private final BareStack bare = new BareStack();

  private JavaFunction function(JavaFunction.Props.Builder props) {
    return new JavaFunction(
        bare.stack,
        "Worker",
        props
            .description("a test function")
            .handler("io.example.Handler::handleRequest")
            .jar(BareStack.jar("hub"))
            .memoryMb(512)
            .timeoutSeconds(20)
            .environment(Map.of("GREETING", "hello"))
            .logRetention(RetentionDays.TWO_WEEKS)
            .build());
  }

  @Test
  void java21OnArm64SnapStartedWithJsonLogsAndTracing() {
    JavaFunction fn = function(JavaFunction.Props.builder());
    bare.template().resourceCountIs("AWS::Lambda::Function", 1);
    Map<String, Object> props = bare.properties(fn.getFunction());
    assertEquals("a test function", props.get("Description"));
    assertEquals("java21", props.get("Runtime"));
    assertEquals(List.of("arm64"), props.get("Architectures"));
    assertEquals("io.example.Handler::handleRequest", props.get("Handler"));
    assertEquals(512, props.get("MemorySize"));
    assertEquals(20, props.get("Timeout"));
    assertEquals(Map.of("Variables", Map.of("GREETING", "hello")), props.get("Environment"));
    assertEquals(Map.of("ApplyOn", "PublishedVersions"), props.get("SnapStart"));
    assertEquals(Map.of("Mode", "Active"), props.get("TracingConfig"));
    assertEquals(
        Map.of("LogFormat", "JSON", "LogGroup", bare.ref(fn.getLogGroup())),
        props.get("LoggingConfig"));
    assertEquals(bare.getAtt(fn.getRole(), "Arn"), props.get("Role"));
    assertNull(props.get("DeadLetterConfig"), "no asynchronous dead-letter queue unless given");
    String s3Key = at(props, "Code", "S3Key");
    assertTrue(s3Key.endsWith(".jar"), s3Key);
    // SnapStart's warning about unpublished versions is acknowledged: it is published.
    Annotations.fromStack(bare.stack).hasNoWarning("*", Match.anyValue());
  }

  @Test
  void triggersInvokeTheLiveAliasOfTheOnePublishedVersion() {
    JavaFunction fn = function(JavaFunction.Props.builder());
    bare.template().resourceCountIs("AWS::Lambda::Version", 1);
    bare.template().resourceCountIs("AWS::Lambda::Alias", 1);
    Map<String, Object> alias = bare.properties(fn.getAlias());
    assertEquals(JavaFunction.ALIAS, alias.get("Name"));
    assertEquals(bare.ref(fn.getFunction()), alias.get("FunctionName"));
    String version = bare.resources("AWS::Lambda::Version").keySet().iterator().next();
    assertEquals(Map.of("Fn::GetAtt", List.of(version, "Version")), alias.get("FunctionVersion"));
  }

  @Test
  void aRoleOfItsOwnThatMayWriteItsLogsAndTracesOnly() {
    JavaFunction fn = function(JavaFunction.Props.builder());
    bare.template().resourceCountIs("AWS::IAM::Role", 1);
    Map<String, Object> role = bare.properties(fn.getRole());
    assertEquals(
        List.of(
            Map.of(
                "Action", "sts:AssumeRole",
                "Effect", "Allow",
                "Principal", Map.of("Service", "lambda.amazonaws.com"))),
        at(role, "AssumeRolePolicyDocument", "Statement"));
    assertNull(role.get("ManagedPolicyArns"), "no managed policies");
    assertEquals(bare.logsAndTraces(fn), bare.grants(fn.getRole()));
    bare.template()
        .hasResource(
            "AWS::Logs::LogGroup",
            Map.of("DeletionPolicy", "Delete", "Properties", Map.of("RetentionInDays", 14)));
  }

  @Test
  void anAsynchronousDeadLetterQueueIsConfiguredAndGranted() {
    Queue deadLetters = new Queue(bare.stack, "DeadLetters");
    JavaFunction fn = function(JavaFunction.Props.builder().asyncDeadLetterQueue(deadLetters));
    assertEquals(
        Map.of("TargetArn", bare.getAtt(deadLetters, "Arn")),
        bare.properties(fn.getFunction()).get("DeadLetterConfig"));
    Map<String, Set<String>> expected = bare.logsAndTraces(fn);
    bare.allow(expected, List.of(bare.getAtt(deadLetters, "Arn")), "sqs:SendMessage");
    assertEquals(expected, bare.grants(fn.getRole()));
  }

  @Test
  void layersAreAttachedInTheOrderGivenAndNoneUnlessGiven() {
    JavaFunction without = function(JavaFunction.Props.builder());
    String first = "arn:aws:lambda:eu-west-1:123456789012:layer:first:1";
    String second = "arn:aws:lambda:eu-west-1:123456789012:layer:second:4";
    JavaFunction withLayers =
        new JavaFunction(
            bare.stack,
            "WithLayers",
            JavaFunction.Props.builder()
                .description("a function with layers")
                .handler("io.example.Handler::handleRequest")
                .jar(BareStack.jar("hub"))
                .layers(
                    List.of(
                        LayerVersion.fromLayerVersionArn(bare.stack, "First", first),
                        LayerVersion.fromLayerVersionArn(bare.stack, "Second", second)))
                .build());
    assertEquals(List.of(first, second), bare.properties(withLayers.getFunction()).get("Layers"));
  }
}
