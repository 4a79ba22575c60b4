package io.hubspoke.hub;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.service.DispatchQueueConsumer;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.MessageOutcome;
import io.hubspoke.core.worker.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * The hub Lambda. Parses the event and delegates: API Gateway HTTP API events, scheduled and direct
 * run requests to {@link HubApi}; batches from the dispatch queue (SQS event source mapping, with
 * {@code ReportBatchItemFailures}) to {@link DispatchQueueConsumer}: a chunk to dispatch or the
 * next pages of a discovery per message. AWS clients are built once per instance, in the
 * constructor.
 */
public final class HubHandler implements RequestStreamHandler {
  private final HubApi api;
  private final DispatchQueueConsumer dispatchQueue;
  private final Clock clock;

  public HubHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public HubHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public HubHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.discovered());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public HubHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers), clock);
  }

  private HubHandler(Hubspoke hubspoke, Clock clock) {
    this(
        new HubApi(
            hubspoke.requestParser(),
            hubspoke.submission(),
            hubspoke.queries(),
            hubspoke.cancellation(),
            hubspoke.redrive(),
            new PullApi(hubspoke.pullWork())),
        hubspoke.dispatchQueueConsumer(),
        clock);
  }

  HubHandler(HubApi api, DispatchQueueConsumer dispatchQueue, Clock clock) {
    this.api = api;
    this.dispatchQueue = dispatchQueue;
    this.clock = clock;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    JsonNode event;
    try {
      event = Json.parse(input);
    } catch (JsonProcessingException e) {
      output.write(
          Json.write(
                  Json.object()
                      .put("error", "InvalidEvent")
                      .put("message", "the event is not JSON"))
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    JsonNode response =
        isSqsBatch(event)
            ? dispatch(
                event.get("Records"),
                clock.instant().plusMillis(context.getRemainingTimeInMillis()))
            : api.handle(event);
    output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
  }

  static boolean isSqsBatch(JsonNode event) {
    JsonNode records = event == null ? null : event.get("Records");
    return records != null
        && records.isArray()
        && !records.isEmpty()
        && "aws:sqs".equals(records.get(0).path("eventSource").asText());
  }

  /** One chunk per message, in order; the ones to come back are reported as item failures. */
  private ObjectNode dispatch(JsonNode records, Instant deadline) {
    ObjectNode response = Json.object();
    ArrayNode failures = response.putArray("batchItemFailures");
    for (JsonNode record : records) {
      String messageId = record.path("messageId").asText();
      if (dispatchQueue.handle(messageId, record.path("body").asText(null), deadline)
          == MessageOutcome.RETRY) {
        failures.addObject().put("itemIdentifier", messageId);
      }
    }
    return response;
  }
}
