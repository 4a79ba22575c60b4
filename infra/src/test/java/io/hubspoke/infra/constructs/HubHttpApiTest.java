package io.hubspoke.infra.constructs;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.logs.RetentionDays;

class HubHttpApiTest {
  private final BareStack bare = new BareStack();

  private HubHttpApi api(HubHttpApi.Props.Builder props) {
    return new HubHttpApi(
        bare.stack, "Http", props.hub(bare.importedFunction("Hub", "hub")).build());
  }

  @Test
  void theHubsRoutesAllSigV4AuthorizedByDefault() {
    HubHttpApi api = api(HubHttpApi.Props.builder());
    bare.template().resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    assertEquals("HTTP", bare.properties(api.getApi()).get("ProtocolType"));
    Set<String> routes = new TreeSet<>();
    for (Map<String, Object> route : bare.resources("AWS::ApiGatewayV2::Route").values()) {
      routes.add(at(route, "Properties", "RouteKey"));
      assertEquals("AWS_IAM", at(route, "Properties", "AuthorizationType"));
    }
    assertEquals(new TreeSet<>(HubHttpApi.ROUTES), routes);
  }

  @Test
  void oneProxyIntegrationOfTheHubWhichOnlyThisApiMayInvoke() {
    HubHttpApi api = api(HubHttpApi.Props.builder());
    Map<String, Object> integration = bare.onlyResource("AWS::ApiGatewayV2::Integration");
    assertEquals("AWS_PROXY", integration.get("IntegrationType"));
    assertEquals("2.0", integration.get("PayloadFormatVersion"));
    assertEquals(BareStack.functionArn("hub"), integration.get("IntegrationUri"));
    Map<String, Map<String, Object>> permissions = bare.resources("AWS::Lambda::Permission");
    assertEquals(HubHttpApi.ROUTES.size(), permissions.size(), "one per route");
    for (Map<String, Object> permission : permissions.values()) {
      Map<String, Object> props = at(permission, "Properties");
      assertEquals("lambda:InvokeFunction", props.get("Action"));
      assertEquals("apigateway.amazonaws.com", props.get("Principal"));
      assertEquals(BareStack.functionArn("hub"), props.get("FunctionName"));
      assertTrue(
          props.get("SourceArn").toString().contains(bare.logicalId(api.getApi())),
          props.get("SourceArn").toString());
    }
  }

  @Test
  void theDefaultStageIsThrottledAndLogsEachRequestAsJson() throws Exception {
    HubHttpApi api = api(HubHttpApi.Props.builder());
    bare.template().resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    Map<String, Object> stage = bare.properties(api.getStage());
    assertEquals("$default", stage.get("StageName"));
    assertEquals(true, stage.get("AutoDeploy"));
    assertEquals(
        Map.of("ThrottlingRateLimit", 50, "ThrottlingBurstLimit", 100),
        stage.get("DefaultRouteSettings"));
    assertEquals(
        bare.getAtt(api.getAccessLogGroup(), "Arn"),
        at(stage, "AccessLogSettings", "DestinationArn"));
    String format = at(stage, "AccessLogSettings", "Format");
    assertEquals(HubHttpApi.ACCESS_LOG_FORMAT, format);
    Map<?, ?> line = new ObjectMapper().readValue(format, Map.class);
    assertTrue(line.keySet().containsAll(List.of("requestId", "status", "routeKey")), format);
    bare.template()
        .hasResource(
            "AWS::Logs::LogGroup",
            Map.of("DeletionPolicy", "Delete", "Properties", Map.of("RetentionInDays", 30)));
  }

  @Test
  void authorizationThrottlingAndLogRetentionAreProps() {
    HubHttpApi api =
        api(
            HubHttpApi.Props.builder()
                .authorization(ApiAuthorization.NONE)
                .throttleRateLimit(5)
                .throttleBurstLimit(10)
                .logRetention(RetentionDays.TWO_WEEKS));
    for (Map<String, Object> route : bare.resources("AWS::ApiGatewayV2::Route").values()) {
      assertEquals("NONE", at(route, "Properties", "AuthorizationType"));
    }
    assertEquals(
        Map.of("ThrottlingRateLimit", 5, "ThrottlingBurstLimit", 10),
        bare.properties(api.getStage()).get("DefaultRouteSettings"));
    assertEquals(14, bare.properties(api.getAccessLogGroup()).get("RetentionInDays"));
  }
}
