package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HttpApiTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void routesTheHubServesAllSigV4Authorized() {
    Map<String, Map<String, Object>> routes = resources(synth, "AWS::ApiGatewayV2::Route");
    Set<String> keys = new TreeSet<>();
    for (Map<String, Object> route : routes.values()) {
      keys.add(at(route, "Properties", "RouteKey"));
      assertEquals("AWS_IAM", at(route, "Properties", "AuthorizationType"));
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "POST /runs",
                "GET /runs",
                "GET /runs/{runId}",
                "DELETE /runs/{runId}",
                "POST /runs/{runId}/redrive",
                "GET /runs/{runId}/tasks",
                "GET /runs/{runId}/tasks/{taskNumber}",
                // Pull workers' routes: IAM-authorized like the rest (asserted above).
                "POST /runs/{runId}/claims",
                "POST /runs/{runId}/tasks/{taskNumber}/heartbeat",
                "POST /runs/{runId}/tasks/{taskNumber}/result")),
        keys);
    synth.template().resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    synth
        .template()
        .hasResourceProperties("AWS::ApiGatewayV2::Api", Map.of("ProtocolType", "HTTP"));
  }

  @Test
  void integrationInvokesTheHubAlias() {
    Map<String, Map<String, Object>> integrations =
        resources(synth, "AWS::ApiGatewayV2::Integration");
    assertEquals(1, integrations.size());
    Map<String, Object> props = at(integrations.values().iterator().next(), "Properties");
    assertEquals("AWS_PROXY", props.get("IntegrationType"));
    assertEquals("2.0", props.get("PayloadFormatVersion"));
    assertEquals(synth.ref(synth.stack().getHub().getAlias()), props.get("IntegrationUri"));
    // API Gateway may invoke the alias, from this API only.
    List<Map<String, Object>> permissions =
        resources(synth, "AWS::Lambda::Permission").values().stream()
            .map(p -> TemplateJson.<Map<String, Object>>at(p, "Properties"))
            .filter(p -> "apigateway.amazonaws.com".equals(p.get("Principal")))
            .collect(Collectors.toList());
    assertEquals(
        io.hubspoke.contract.api.HubRoutes.ALL.size(), permissions.size(), "one per route");
    for (Map<String, Object> p : permissions) {
      assertEquals(synth.ref(synth.stack().getHub().getAlias()), p.get("FunctionName"));
      assertTrue(
          p.get("SourceArn")
              .toString()
              .contains(synth.logicalId(synth.stack().getHttpApi().getApi())));
    }
  }

  @Test
  void stageIsThrottledAndWritesJsonAccessLogs() throws Exception {
    Map<String, Map<String, Object>> stages = resources(synth, "AWS::ApiGatewayV2::Stage");
    assertEquals(1, stages.size());
    Map<String, Object> props = at(stages.values().iterator().next(), "Properties");
    assertEquals("$default", props.get("StageName"));
    assertEquals(true, props.get("AutoDeploy"));
    assertEquals(
        Map.of("ThrottlingRateLimit", 50, "ThrottlingBurstLimit", 100),
        props.get("DefaultRouteSettings"));
    assertEquals(
        synth.getAtt(synth.stack().getHttpApi().getAccessLogGroup(), "Arn"),
        at(props, "AccessLogSettings", "DestinationArn"));
    String format = at(props, "AccessLogSettings", "Format");
    Map<?, ?> line = new ObjectMapper().readValue(format, Map.class);
    assertTrue(line.containsKey("requestId") && line.containsKey("status"), format);
    assertEquals(
        30,
        TemplateJson.properties(
                synth, synth.logicalId(synth.stack().getHttpApi().getAccessLogGroup()))
            .get("RetentionInDays"));
  }

  @Test
  void authorizationAndThrottlingAreConfigurable() {
    Synth.Result custom = Synth.custom();
    for (Map<String, Object> route : resources(custom, "AWS::ApiGatewayV2::Route").values()) {
      assertEquals("NONE", at(route, "Properties", "AuthorizationType"));
    }
    Map<String, Object> stage =
        at(resources(custom, "AWS::ApiGatewayV2::Stage").values().iterator().next(), "Properties");
    assertEquals(
        Map.of("ThrottlingRateLimit", 5, "ThrottlingBurstLimit", 10),
        stage.get("DefaultRouteSettings"));
  }
}
