package io.hubspoke.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.worker.WorkerRegistry;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Event shapes and rejections that need no AWS call, from real API Gateway v2 and EventBridge event
 * JSON. (Accepted requests are covered end to end against the local engines in local/.)
 */
class HubApiTest {
  // No submission or query service: every case here must be answered before reaching them.
  private final HubApi api = new HubApi(new RunRequestParser(WorkerRegistry.builtIn()), null, null);

  private static JsonNode fixture(String name) throws Exception {
    try (InputStream in = HubApiTest.class.getResourceAsStream("/events/" + name)) {
      return Json.parse(in);
    }
  }

  @Test
  void aPostWithTheWrongContentTypeIs415() throws Exception {
    JsonNode response = api.handle(fixture("apigw-v2-post-runs.json"));
    assertEquals(415, response.get("statusCode").asInt());
    assertEquals("application/json", response.get("headers").get("content-type").asText());
    JsonNode body = Json.parse(response.get("body").asText());
    assertEquals("UnsupportedMediaType", body.get("error").asText());
    assertTrue(body.get("message").asText().contains("application/json"));
  }

  @Test
  void aMalformedRunIdIs400NamingRunId() throws Exception {
    JsonNode response = api.handle(fixture("apigw-v2-get-run.json"));
    assertEquals(400, response.get("statusCode").asInt());
    JsonNode body = Json.parse(response.get("body").asText());
    assertEquals("runId", body.get("errors").get(0).get("field").asText());
  }

  @Test
  void anInvalidScheduledRunIsAnsweredWithTheFieldAndNotThrown() throws Exception {
    JsonNode response = api.handle(fixture("scheduled-run-invalid.json"));
    assertEquals("ValidationError", response.get("error").asText());
    assertEquals("items", response.get("errors").get(0).get("field").asText());
  }

  @Test
  void unknownRoutesAndMethodsAreAnsweredWithTheRoutes() throws Exception {
    JsonNode event = fixture("apigw-v2-get-run.json");
    ((com.fasterxml.jackson.databind.node.ObjectNode) event).put("rawPath", "/jobs");
    JsonNode notFound = api.handle(event);
    assertEquals(404, notFound.get("statusCode").asInt());
    assertTrue(notFound.get("body").asText().contains(HubApi.ROUTES));

    ((com.fasterxml.jackson.databind.node.ObjectNode) event)
        .put("rawPath", "/runs/r-0123456789abcdef01234567");
    ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("requestContext").get("http"))
        .put("method", "PUT");
    JsonNode notAllowed = api.handle(event);
    assertEquals(405, notAllowed.get("statusCode").asInt());
    assertEquals("GET, DELETE", notAllowed.get("headers").get("allow").asText());
  }
}
