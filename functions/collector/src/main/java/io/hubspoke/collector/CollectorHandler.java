package io.hubspoke.collector;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.RunSummarizer;
import io.hubspoke.core.service.RunSweeper;
import io.hubspoke.core.worker.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The collector Lambda, invoked by the {@code RunDrained} rule, and by the sweep's schedule rule
 * (an EventBridge {@code Scheduled Event}, which runs {@link RunSweeper}). Events it cannot act on
 * (unknown detail type, malformed detail) are answered and logged, not thrown: retrying them cannot
 * help. Failures while summarizing are thrown, so EventBridge's retry policy delivers the event
 * again.
 */
public final class CollectorHandler implements RequestStreamHandler {
  private static final Logger LOG = Logger.getLogger(CollectorHandler.class.getName());

  static final String SCHEDULED_EVENT = "Scheduled Event";
  static final String SCHEDULE_SOURCE = "aws.events";

  private final RunSummarizer summarizer;
  private final RunSweeper sweeper;

  public CollectorHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public CollectorHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public CollectorHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.discovered());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public CollectorHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers));
  }

  private CollectorHandler(Hubspoke hubspoke) {
    this(hubspoke.summarizer(), hubspoke.sweeper());
  }

  CollectorHandler(RunSummarizer summarizer, RunSweeper sweeper) {
    this.summarizer = summarizer;
    this.sweeper = sweeper;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    ObjectNode response = handle(input, Duration.ofMillis(context.getRemainingTimeInMillis()));
    output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
  }

  /** As invoked with Lambda's longest timeout. */
  ObjectNode handle(InputStream input) throws IOException {
    return handle(input, Duration.ofMinutes(15));
  }

  /**
   * @param timeLeft the invocation's remaining time: the sweep starts no new run near its end
   */
  ObjectNode handle(InputStream input, Duration timeLeft) throws IOException {
    JsonNode event;
    try {
      event = Json.parse(input);
    } catch (JsonProcessingException e) {
      return ignored("the event is not JSON");
    }
    String detailType = event == null ? "" : event.path("detail-type").asText("");
    if (detailType.equals(SCHEDULED_EVENT)) {
      return sweep(event.path("source").asText(""), timeLeft);
    }
    if (!detailType.equals(EventRules.RUN_DRAINED)) {
      return ignored(
          "unknown detail-type '"
              + detailType
              + "'; the collector handles "
              + EventRules.RUN_DRAINED
              + " and "
              + SCHEDULED_EVENT);
    }
    String runId = event.path("detail").path("runId").asText("");
    if (!RunIds.isValid(runId)) {
      return ignored("detail.runId is missing or not a run id");
    }
    RunSummarizer.Outcome outcome = summarizer.summarize(runId);
    LOG.info(() -> "run " + runId + ": " + outcome);
    return Json.object().put("runId", runId).put("outcome", outcome.name());
  }

  /** The periodic sweep, invoked by the stack's schedule rule on the default bus. */
  private ObjectNode sweep(String source, Duration timeLeft) {
    if (!source.equals(SCHEDULE_SOURCE)) {
      return ignored(
          "a " + SCHEDULED_EVENT + " must come from " + SCHEDULE_SOURCE + ", not '" + source + "'");
    }
    RunSweeper.Report report = sweeper.sweep(timeLeft);
    LOG.info(() -> "sweep: " + report);
    return Json.object()
        .put("outcome", "SWEPT")
        .put("runsExamined", report.runsExamined())
        .put("summarized", report.summarized())
        .put("dispatchesResumed", report.dispatchesResumed())
        .put("reconciled", report.reconciled())
        .put("tasksRecounted", report.tasksRecounted())
        .put("messagesResent", report.messagesResent())
        .put("openRuns", report.openRuns())
        .put("runsLeft", report.runsLeft())
        .put("tasksExamined", report.tasksExamined());
  }

  private static ObjectNode ignored(String reason) {
    LOG.warning(() -> "ignored an event: " + reason);
    return Json.object().put("outcome", "IGNORED").put("reason", reason);
  }
}
