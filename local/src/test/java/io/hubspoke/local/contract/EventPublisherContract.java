package io.hubspoke.local.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * What hubspoke relies on from EventBridge: PutEvents accepts its events on the custom bus, reports
 * a bad entry alone (so {@link EventPublisher} retries only what failed), and a rule with {@link
 * EventRules#RUN_DRAINED_PATTERN} delivers {@code RunDrained}, with its detail as JSON, and nothing
 * else. Where the rule delivers to is engine-specific ({@link Engines#subscribe}).
 */
abstract class EventPublisherContract {
  private static final AtomicInteger RULES = new AtomicInteger();

  protected abstract Engines engines();

  AwsClients clients;

  @BeforeEach
  void setUp() {
    clients = engines().clients(Engines.Service.EVENTS);
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  PutEventsRequestEntry entry(String detailType, String detail) {
    return PutEventsRequestEntry.builder()
        .eventBusName(Engines.BUS)
        .source(EventRules.SOURCE)
        .detailType(detailType)
        .detail(detail)
        .build();
  }

  @Test
  void thePublisherPutsItsEventsOnTheBus() {
    EventPublisher publisher =
        new EventPublisher(clients.eventBridge(), Engines.BUS, Backoff.standard());
    publisher.publish(EventRules.RUN_STARTED, Json.object().put("runId", RunIds.random()));
    PutEventsResponse response =
        clients
            .eventBridge()
            .putEvents(b -> b.entries(entry(EventRules.RUN_COMPLETED, "{\"runId\":\"r-1\"}")));
    assertEquals(0, response.failedEntryCount());
    assertFalse(response.entries().get(0).eventId().isBlank());
  }

  @Test
  void aMalformedEntryFailsAloneWithItsErrorCode() {
    PutEventsResponse response =
        clients
            .eventBridge()
            .putEvents(
                b ->
                    b.entries(
                        entry(EventRules.RUN_STARTED, "{\"runId\":\"r-1\"}"),
                        entry(EventRules.RUN_STARTED, "runId=r-1")));
    assertEquals(1, response.failedEntryCount());
    assertNull(response.entries().get(0).errorCode());
    assertFalse(response.entries().get(0).eventId().isBlank());
    assertEquals("MalformedDetail", response.entries().get(1).errorCode());
  }

  @Test
  void theRunDrainedRuleDeliversRunDrainedWithItsDetailAndNothingElse() {
    Engines.Subscription rule =
        engines()
            .subscribe(
                "contract-run-drained-" + RULES.incrementAndGet(), EventRules.RUN_DRAINED_PATTERN);
    String runId = RunIds.random();
    EventPublisher publisher =
        new EventPublisher(clients.eventBridge(), Engines.BUS, Backoff.standard());
    publisher.publish(EventRules.RUN_STARTED, Json.object().put("runId", runId));
    publisher.publish(EventRules.RUN_DRAINED, Json.object().put("runId", runId));
    JsonNode[] delivered = new JsonNode[1];
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          delivered[0] = find(rule.events(), runId, EventRules.RUN_DRAINED).orElse(null);
          return delivered[0] != null;
        },
        () -> "the RunDrained rule delivered no event of run " + runId);
    JsonNode event = delivered[0];
    assertEquals(EventRules.SOURCE, event.path("source").asText());
    assertTrue(event.path("detail").isObject(), "detail arrives as JSON, not a string");
    assertFalse(event.path("id").asText().isBlank());
    assertFalse(event.path("time").asText().isBlank());
    assertTrue(
        find(rule.events(), runId, EventRules.RUN_STARTED).isEmpty(),
        "the pattern lets only RunDrained through");
  }

  private static Optional<JsonNode> find(List<String> events, String runId, String detailType) {
    return events.stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail-type").asText().equals(detailType))
        .filter(e -> e.path("detail").path("runId").asText().equals(runId))
        .findFirst();
  }
}
