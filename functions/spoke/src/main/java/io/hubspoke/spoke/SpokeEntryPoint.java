package io.hubspoke.spoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.IndexDrain;
import io.hubspoke.core.worker.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The spoke function's handler: the work queue's SQS batches (handed to {@link SpokeHandler}) and
 * the bus's {@code WorkAvailable} events of hybrid runs ({@link IndexDrain}: claim from the table
 * until none is left). One function, one set of clients, whichever way its work arrives.
 */
public final class SpokeEntryPoint implements RequestStreamHandler {
  private final SpokeHandler queue;
  private final IndexDrain drain;
  private final Clock clock;

  public SpokeEntryPoint() {
    this(HubspokeEnvironment.fromSystem());
  }

  public SpokeEntryPoint(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC(), WorkerRegistry.discovered());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public SpokeEntryPoint(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers), clock);
  }

  private SpokeEntryPoint(Hubspoke hubspoke, Clock clock) {
    this(new SpokeHandler(hubspoke.execution(), clock), hubspoke.indexDrain(), clock);
  }

  SpokeEntryPoint(SpokeHandler queue, IndexDrain drain, Clock clock) {
    this.queue = queue;
    this.drain = drain;
    this.clock = clock;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    JsonNode event;
    try {
      event = Json.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the spoke was invoked with an event that is not JSON", e);
    }
    JsonNode answer;
    if (event.has("Records")) {
      answer = batchResponse(queue.handleRequest(sqsEvent(event.get("Records")), context));
    } else if (EventRules.WORK_AVAILABLE.equals(event.path("detail-type").asText())
        && EventRules.SOURCE.equals(event.path("source").asText())) {
      JsonNode detail = event.path("detail");
      Instant deadline = clock.instant().plusMillis(context.getRemainingTimeInMillis());
      IndexDrain.Drained drained =
          drain.drain(
              detail.path("runId").asText(),
              detail.path("incarnation").asText(),
              detail.path("shards").path("from").asInt(0),
              deadline);
      answer = Json.object().put("rounds", drained.rounds()).put("tasksRun", drained.tasksRun());
    } else {
      // Thrown, so an asynchronous invoker's retries and failure destination see it.
      throw new IllegalArgumentException(
          "the spoke takes SQS batches of the work queue and WorkAvailable events, not "
              + Json.write(event).substring(0, Math.min(200, Json.write(event).length())));
    }
    output.write(Json.write(answer).getBytes(StandardCharsets.UTF_8));
  }

  /** The fields of an SQS record the spoke reads. */
  static SQSEvent sqsEvent(JsonNode records) {
    List<SQSEvent.SQSMessage> messages = new ArrayList<>();
    for (JsonNode record : records) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      message.setMessageId(record.path("messageId").asText());
      message.setBody(record.path("body").asText());
      message.setReceiptHandle(record.path("receiptHandle").asText(null));
      messages.add(message);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(messages);
    return event;
  }

  static JsonNode batchResponse(SQSBatchResponse response) {
    ObjectNode json = Json.object();
    ArrayNode failures = json.putArray("batchItemFailures");
    response
        .getBatchItemFailures()
        .forEach(f -> failures.addObject().put("itemIdentifier", f.getItemIdentifier()));
    return json;
  }
}
