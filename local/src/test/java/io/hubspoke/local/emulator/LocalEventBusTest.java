package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.contract.EventRules;
import io.hubspoke.testkit.TestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

class LocalEventBusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUS = "hubspoke-test";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static HttpClient http;
  private LocalEventBus bus;
  private EventBridgeClient events;

  @BeforeAll
  static void httpClient() {
    http = HttpClient.newHttpClient();
  }

  private void startBus(LocalEventBus.Builder builder) {
    bus = builder.busName(BUS).start();
    events = TestClients.events(bus.endpoint());
  }

  @AfterEach
  void stop() {
    if (events != null) {
      events.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  private static PutEventsRequestEntry entry(String detailType, String detail) {
    return PutEventsRequestEntry.builder()
        .eventBusName(BUS)
        .source(EventRules.SOURCE)
        .detailType(detailType)
        .detail(detail)
        .build();
  }

  @Test
  void deliversAcceptedEventsOnlyToMatchingRules() throws Exception {
    startBus(LocalEventBus.builder());
    var drained = new ConcurrentLinkedQueue<String>();
    var other = new ConcurrentLinkedQueue<String>();
    bus.addRule(EventRules.RUN_DRAINED_RULE, EventRules.RUN_DRAINED_PATTERN, drained::add);
    bus.addRule("started", "{\"detail-type\":[\"" + EventRules.RUN_STARTED + "\"]}", other::add);

    PutEventsResponse response =
        events.putEvents(
            b ->
                b.entries(
                    entry(EventRules.RUN_DRAINED, "{\"runId\":\"r-1\"}"),
                    entry(EventRules.RUN_COMPLETED, "{\"runId\":\"r-1\"}"),
                    entry(EventRules.RUN_DRAINED, "{\"runId\":\"r-2\"}")));

    assertEquals(0, response.failedEntryCount());
    assertEquals(3, response.entries().size());
    response.entries().forEach(e -> assertNotNull(e.eventId()));
    assertTrue(bus.awaitIdle(WAIT));
    assertEquals(2, drained.size());
    assertEquals(List.of(), List.copyOf(other));
    assertEquals(3, bus.publishedEvents().size());

    // The two deliveries run at once, in either order: take the one of the first entry.
    JsonNode event = null;
    for (String delivered : drained) {
      JsonNode candidate = JSON.readTree(delivered);
      if (candidate.get("detail").get("runId").asText().equals("r-1")) {
        event = candidate;
      }
    }
    assertNotNull(event, "the first entry's event was delivered");
    assertEquals("0", event.get("version").asText());
    assertEquals(response.entries().get(0).eventId(), event.get("id").asText());
    assertEquals(EventRules.RUN_DRAINED, event.get("detail-type").asText());
    assertEquals(EventRules.SOURCE, event.get("source").asText());
    assertEquals("000000000000", event.get("account").asText());
    assertEquals("us-east-1", event.get("region").asText());
    assertTrue(event.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
    assertTrue(event.get("resources").isArray());
    assertEquals("r-1", event.get("detail").get("runId").asText(), "detail is an object");
  }

  @Test
  void reportsPerEntryFailuresLikeEventBridge() {
    startBus(LocalEventBus.builder());
    PutEventsResponse response =
        events.putEvents(
            b ->
                b.entries(
                    entry(EventRules.RUN_DRAINED, "{\"ok\":true}"),
                    entry(EventRules.RUN_DRAINED, "[1,2]"),
                    entry(EventRules.RUN_DRAINED, "{not json"),
                    PutEventsRequestEntry.builder().detailType("x").detail("{}").build(),
                    entry(EventRules.RUN_DRAINED, "{}").toBuilder().eventBusName("other").build(),
                    entry(EventRules.RUN_DRAINED, "{}").toBuilder().eventBusName(null).build(),
                    entry(EventRules.RUN_DRAINED, "{}").toBuilder()
                        .eventBusName(bus.busArn())
                        .build()));

    assertEquals(4, response.failedEntryCount());
    var results = response.entries();
    assertNotNull(results.get(0).eventId());
    assertNull(results.get(0).errorCode());
    assertEquals("MalformedDetail", results.get(1).errorCode());
    assertEquals("MalformedDetail", results.get(2).errorCode());
    assertEquals("InvalidArgument", results.get(3).errorCode());
    assertTrue(results.get(3).errorMessage().contains("Source"));
    assertEquals("ResourceNotFoundException", results.get(4).errorCode());
    assertNull(results.get(4).eventId());
    assertNotNull(results.get(5).eventId(), "no bus name means the bus");
    assertNotNull(results.get(6).eventId(), "the bus ARN names the bus");
    assertEquals(3, bus.publishedEvents().size());
  }

  @Test
  void rejectsMalformedRequestsWithValidationException() throws Exception {
    startBus(LocalEventBus.builder());
    HttpResponse<String> garbage = post("AWSEvents.PutEvents", "{\"Entries\": [");
    assertEquals(400, garbage.statusCode());
    JsonNode error = JSON.readTree(garbage.body());
    assertEquals("ValidationException", error.get("__type").asText());
    assertTrue(error.hasNonNull("message"));
    assertEquals(400, post("AWSEvents.PutEvents", "{}").statusCode());
    assertEquals(400, post("AWSEvents.PutRule", "{\"Name\":\"x\"}").statusCode());

    EventBridgeException tooMany =
        assertThrows(
            EventBridgeException.class,
            () ->
                events.putEvents(
                    b ->
                        b.entries(
                            java.util.Collections.nCopies(
                                11, entry(EventRules.RUN_DRAINED, "{}")))));
    assertEquals(400, tooMany.statusCode());
    assertEquals("ValidationException", tooMany.awsErrorDetails().errorCode());

    String big = "{\"pad\":\"" + "x".repeat(140_000) + "\"}";
    EventBridgeException tooBig =
        assertThrows(
            EventBridgeException.class,
            () -> events.putEvents(b -> b.entries(entry("Big", big), entry("Big", big))));
    assertTrue(tooBig.awsErrorDetails().errorMessage().contains("over the limit"));
    assertEquals(List.of(), bus.publishedEvents());
  }

  @Test
  void retriesAFailingTargetUntilItSucceeds() throws Exception {
    startBus(
        LocalEventBus.builder()
            .retryPolicy(
                new LocalEventBus.RetryPolicy(
                    5, Duration.ofMillis(10), 2.0, Duration.ofMillis(100))));
    AtomicInteger calls = new AtomicInteger();
    var received = new ConcurrentLinkedQueue<String>();
    bus.addRule(
        "flaky",
        EventRules.RUN_DRAINED_PATTERN,
        event -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("collector throttled");
          }
          received.add(event);
        });
    events.putEvents(b -> b.entries(entry(EventRules.RUN_DRAINED, "{\"runId\":\"r\"}")));
    assertTrue(bus.awaitIdle(WAIT));
    assertEquals(3, calls.get());
    assertEquals(1, received.size());
    assertEquals(List.of(), bus.deadLetters());
    assertEquals(1, bus.deliveredCount());
  }

  @Test
  void deadLettersADeliveryThatExhaustsItsRetries() throws Exception {
    startBus(
        LocalEventBus.builder()
            .retryPolicy(
                new LocalEventBus.RetryPolicy(
                    3, Duration.ofMillis(5), 2.0, Duration.ofMillis(50))));
    AtomicInteger calls = new AtomicInteger();
    bus.addRule(
        "broken",
        EventRules.RUN_DRAINED_PATTERN,
        event -> {
          calls.incrementAndGet();
          throw new IllegalStateException("collector is down");
        });
    events.putEvents(b -> b.entries(entry(EventRules.RUN_DRAINED, "{\"runId\":\"r\"}")));
    assertTrue(bus.awaitIdle(WAIT));
    assertEquals(3, calls.get());
    assertEquals(1, bus.deadLetters().size());
    var dead = bus.deadLetters().get(0);
    assertEquals("broken", dead.ruleName());
    assertEquals(3, dead.attempts());
    assertEquals("collector is down", dead.lastError().getMessage());
    assertEquals(bus.publishedEvents().get(0), dead.eventJson());
  }

  @Test
  void interceptorCanDuplicateADelivery() throws Exception {
    AtomicInteger intercepted = new AtomicInteger();
    startBus(
        LocalEventBus.builder()
            .interceptor(
                (rule, event, attempt) ->
                    intercepted.incrementAndGet() == 1
                        ? LocalEventBus.DeliveryInterceptor.Decision.DUPLICATE
                        : LocalEventBus.DeliveryInterceptor.Decision.DELIVER));
    var received = new ConcurrentLinkedQueue<String>();
    bus.addRule("all", "{\"source\":[\"hubspoke\"]}", received::add);
    events.putEvents(b -> b.entries(entry(EventRules.RUN_DRAINED, "{\"runId\":\"dup\"}")));
    assertTrue(bus.awaitIdle(WAIT));
    assertEquals(2, received.size());
    assertTrue(received.stream().allMatch(e -> e.equals(bus.publishedEvents().get(0))));
  }

  @Test
  void aScheduledRuleFiresThroughItsTransformerWithRetries() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    startBus(
        LocalEventBus.builder()
            .retryPolicy(
                new LocalEventBus.RetryPolicy(3, Duration.ofMillis(1), 1.0, Duration.ofMillis(1))));
    var received = new ConcurrentLinkedQueue<String>();
    bus.addScheduledRule(
        "nightly",
        new InputTransformer(
            java.util.Map.of("time", "$.time", "resource", "$.resources[0]"),
            "{\"time\":<time>,\"rule\":<resource>,\"source\":\"hubspoke.schedule\"}"),
        input -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IllegalStateException("first attempt fails");
          }
          received.add(input);
        });
    bus.fire("nightly", java.time.Instant.parse("2026-11-23T02:00:00.750Z"));
    assertTrue(bus.awaitIdle(WAIT));
    assertEquals(2, attempts.get(), "retried once");
    JsonNode input = JSON.readTree(received.peek());
    assertEquals("2026-11-23T02:00:00Z", input.get("time").asText());
    assertEquals(
        "arn:aws:events:us-east-1:" + LocalLambdaContext.LOCAL_ACCOUNT_ID + ":rule/nightly",
        input.get("rule").asText(),
        "a scheduled rule lives on the default bus");
    assertEquals(List.of(), bus.publishedEvents(), "a firing is not put on the bus");
    assertThrows(IllegalArgumentException.class, () -> bus.fire("no-such-rule", Instant.now()));
  }

  private HttpResponse<String> post(String target, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(bus.endpoint() + "/"))
            .header("X-Amz-Target", target)
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
