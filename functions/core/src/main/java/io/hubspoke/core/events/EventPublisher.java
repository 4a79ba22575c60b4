package io.hubspoke.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.aws.PartialFailureException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Publishes hubspoke events to the bus; entries that fail ({@code FailedEntryCount}) are retried.
 */
public final class EventPublisher {
  private final EventBridgeClient eventBridge;
  private final String busName;
  private final Backoff backoff;

  public EventPublisher(EventBridgeClient eventBridge, String busName, Backoff backoff) {
    this.eventBridge = eventBridge;
    this.busName = busName;
    this.backoff = backoff;
  }

  /**
   * @throws PartialFailureException if the entry still fails after every retry
   */
  public void publish(String detailType, JsonNode detail) {
    List<PutEventsRequestEntry> entries =
        new ArrayList<>(
            List.of(
                PutEventsRequestEntry.builder()
                    .eventBusName(busName)
                    .source(EventRules.SOURCE)
                    .detailType(detailType)
                    .detail(Json.write(detail))
                    .build()));
    for (int attempt = 0; ; attempt++) {
      PutEventsResponse response = eventBridge.putEvents(b -> b.entries(entries));
      if (response.failedEntryCount() == null || response.failedEntryCount() == 0) {
        return;
      }
      List<PutEventsRequestEntry> retry = new ArrayList<>();
      List<PutEventsResultEntry> results = response.entries();
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i).errorCode() != null) {
          retry.add(entries.get(i));
        }
      }
      if (attempt + 1 >= backoff.maxAttempts()) {
        throw new PartialFailureException(
            retry.size() + " event(s) " + detailType + " were not published: " + results);
      }
      entries.clear();
      entries.addAll(retry);
      backoff.pause(attempt + 1);
    }
  }
}
