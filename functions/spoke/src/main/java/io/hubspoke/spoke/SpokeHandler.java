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
import io.hubspoke.core.model.PushEvent;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.IndexDrain;
import io.hubspoke.core.service.MessageOutcome;
import io.hubspoke.core.service.TaskExecutionService;
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
 * The spoke Lambda, invoked two ways:
 *
 * <ul>
 *   <li>by the work queue's event source mapping with {@code ReportBatchItemFailures}: processes
 *       the batch's messages in parallel and reports only those that could not be handled, so SQS
 *       deletes the rest;
 *   <li>by the hub, asynchronously, with a push run's {@link PushEvent} (up to ten task keys): the
 *       same processing; if any task must be tried again the invocation fails, and Lambda's
 *       asynchronous retry invokes it again;
 *   <li>by the bus's rule, with a hybrid run's {@code WorkAvailable}: claims the run's tasks from
 *       the table's claimable index until none is left ({@link IndexDrain}).
 * </ul>
 *
 * Anything else is refused by throwing, so an asynchronous invoker's retries and failure
 * destination keep it.
 */
public final class SpokeHandler implements RequestStreamHandler {
  private final TaskExecutionService execution;
  private final IndexDrain drain;
  private final Clock clock;

  public SpokeHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public SpokeHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public SpokeHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.discovered());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public SpokeHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers), clock);
  }

  private SpokeHandler(Hubspoke hubspoke, Clock clock) {
    this(hubspoke.execution(), clock, hubspoke);
  }

  private SpokeHandler(TaskExecutionService execution, Clock clock, Hubspoke hubspoke) {
    this(execution, hubspoke.indexDrain(execution), clock);
  }

  SpokeHandler(TaskExecutionService execution, IndexDrain drain, Clock clock) {
    this.execution = execution;
    this.drain = drain;
    this.clock = clock;
  }

  /** Lambda's entry: a push event, or an SQS batch as the event source mapping sends it. */
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    JsonNode event;
    try {
      event = Json.parse(input);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the event is not JSON", e);
    }
    Instant deadline = deadline(context);
    ObjectNode response = Json.object();
    if (PushEvent.isPushEvent(event)) {
      response.put("tasks", execution.processPush(event, deadline));
    } else if (isWorkAvailable(event)) {
      JsonNode detail = event.path("detail");
      IndexDrain.Drained drained =
          drain.drain(
              detail.path("runId").asText(),
              detail.path("incarnation").asText(),
              detail.path("shards").path("from").asInt(0),
              deadline);
      response.put("rounds", drained.rounds()).put("tasksRun", drained.tasksRun());
    } else if (event != null && event.path("Records").isArray()) {
      List<TaskExecutionService.Message> messages = new ArrayList<>();
      for (JsonNode record : event == null ? Json.array() : event.path("Records")) {
        messages.add(
            new TaskExecutionService.Message(
                record.path("messageId").asText(),
                record.path("body").asText(null),
                record.path("receiptHandle").asText(null)));
      }
      ArrayNode failures = response.putArray("batchItemFailures");
      failedIds(messages, deadline).forEach(id -> failures.addObject().put("itemIdentifier", id));
    } else {
      String text = Json.write(event);
      throw new IllegalArgumentException(
          "the spoke takes SQS batches of the work queue, push events and WorkAvailable events,"
              + " not "
              + text.substring(0, Math.min(200, text.length())));
    }
    output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isWorkAvailable(JsonNode event) {
    return event != null
        && EventRules.WORK_AVAILABLE.equals(event.path("detail-type").asText())
        && EventRules.SOURCE.equals(event.path("source").asText());
  }

  /** The SQS path with the event already deserialized (the local event source mapping's). */
  public SQSBatchResponse handleBatch(SQSEvent event, Context context) {
    List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
    List<TaskExecutionService.Message> messages = new ArrayList<>(records.size());
    for (SQSEvent.SQSMessage record : records) {
      messages.add(
          new TaskExecutionService.Message(
              record.getMessageId(), record.getBody(), record.getReceiptHandle()));
    }
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (String id : failedIds(messages, deadline(context))) {
      failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(id).build());
    }
    return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
  }

  private Instant deadline(Context context) {
    return clock.instant().plusMillis(context.getRemainingTimeInMillis());
  }

  private List<String> failedIds(List<TaskExecutionService.Message> messages, Instant deadline) {
    List<MessageOutcome> outcomes = execution.processBatch(messages, deadline);
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      if (outcomes.get(i) == MessageOutcome.RETRY) {
        failed.add(messages.get(i).id());
      }
    }
    return failed;
  }
}
