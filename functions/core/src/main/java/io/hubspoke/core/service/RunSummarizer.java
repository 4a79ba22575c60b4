package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.api.RunControls;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.metrics.RunMetrics;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.TaskStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The collector: takes the summarizing lease on a drained run (a conditional write, so duplicate
 * events do nothing), reads every task, writes the summary and the final status in one write
 * conditional on still holding the lease, then publishes {@code RunCompleted}. A collector that
 * dies mid-summary leaves the lease to expire; the next attempt takes it over.
 */
public final class RunSummarizer {
  private static final Logger LOG = Logger.getLogger(RunSummarizer.class.getName());

  /** The result of one attempt to summarize a run. */
  public enum Outcome {
    SUMMARIZED,
    /** Already summarized, or another collector holds a live summarizing lease. */
    ALREADY_HANDLED,
    NOT_DRAINED,
    UNKNOWN_RUN
  }

  private final RunStore runs;
  private final TaskStore tasks;
  private final EventPublisher events;
  private final Clock clock;
  private final Duration summaryLease;

  public RunSummarizer(
      RunStore runs, TaskStore tasks, EventPublisher events, Clock clock, Duration summaryLease) {
    this.runs = runs;
    this.tasks = tasks;
    this.events = events;
    this.clock = clock;
    this.summaryLease = summaryLease;
  }

  public Outcome summarize(String runId) {
    Optional<RunRecord> found = runs.get(runId);
    if (found.isEmpty()) {
      return Outcome.UNKNOWN_RUN;
    }
    RunRecord run = found.get();
    if (run.status().isTerminal()) {
      // Re-publish only once the summarizer has had its lease's time to publish, or a slow
      // publish and this one would both go out.
      if (run.completedEventAt() == null
          && run.completedAt().plus(summaryLease).isBefore(clock.instant())) {
        publishCompleted(run.runId(), run.status(), Json.parseTrusted(run.summaryJson()));
      }
      return Outcome.ALREADY_HANDLED;
    }
    if (run.drainedAt() == null) {
      return Outcome.NOT_DRAINED;
    }
    String owner = "collector/" + UUID.randomUUID();
    if (!runs.beginSummary(runId, owner, clock.instant().plus(summaryLease))) {
      return Outcome.ALREADY_HANDLED;
    }
    RunSummary summary = new RunSummary();
    tasks.forEachTask(run.spec(), summary::add);
    if (summary.nonTerminal() > 0 || summary.total() != run.spec().total()) {
      // The counters said drained, the tasks disagree: never publish a wrong summary.
      throw new IllegalStateException(
          "run "
              + runId
              + " was marked drained but "
              + summary.nonTerminal()
              + " of "
              + summary.total()
              + " tasks (expected "
              + run.spec().total()
              + ") are not terminal");
    }
    Instant now = clock.instant();
    String discoveryError = run.discovery() == null ? null : run.discovery().error();
    RunControls controls = run.spec().controls();
    // A tolerance passed stops the run (stopReason), or, reached at its very end, fails it.
    String intolerable =
        run.stopReason() != null
            ? run.stopReason()
            : controls.tolerates() && controls.exceeded(summary.failed(), summary.total())
                ? controls.exceededReason(summary.failed(), summary.total())
                : null;
    boolean failuresTolerated = controls.tolerates() && intolerable == null;
    RunStatus outcome =
        intolerable != null
            ? RunStatus.FAILED
            : run.cancelRequestedAt() != null
                ? RunStatus.CANCELLED
                : (summary.failed() == 0 || failuresTolerated) && discoveryError == null
                    ? RunStatus.SUCCEEDED
                    : RunStatus.FAILED;
    ObjectNode json = summary.toJson(run.spec().createdAt(), now);
    if (run.cancelRequestedAt() != null) {
      json.put("cancelRequestedAt", run.cancelRequestedAt().toString());
    }
    if (intolerable != null) {
      json.put("reason", intolerable);
    }
    if (run.round() > 0) {
      json.put("redrives", run.round());
    }
    if (run.discovery() != null) {
      // A discovered run's summary says how discovery went; a failed one fails the run, with the
      // tasks it had dispatched summarized all the same.
      ObjectNode discovery = json.putObject("discovery");
      discovery.put("pages", run.discovery().pages());
      discovery.put("items", run.spec().total());
      if (discoveryError != null) {
        discovery.put("error", discoveryError);
        json.put("reason", "discovery failed: " + discoveryError);
      }
    }
    if (!runs.finishSummary(runId, owner, outcome, Json.write(json))) {
      LOG.info(() -> "lost the summary of " + runId + " to another collector");
      return Outcome.ALREADY_HANDLED;
    }
    RunMetrics.runFinished(runId, outcome, now);
    publishCompleted(runId, outcome, json);
    return Outcome.SUMMARIZED;
  }

  private void publishCompleted(
      String runId, RunStatus status, com.fasterxml.jackson.databind.JsonNode summary) {
    ObjectNode detail = Json.object();
    detail.put("runId", runId);
    detail.put("status", status.name());
    detail.put("total", summary.path("total").asInt());
    detail.put("succeeded", summary.path("succeeded").asInt());
    detail.put("failed", summary.path("failed").asInt());
    if (status == RunStatus.CANCELLED || summary.path("cancelled").asInt() > 0) {
      // A run stopped by its failure tolerance ends FAILED with tasks that never ran.
      detail.put("cancelled", summary.path("cancelled").asInt());
    }
    if (summary.path("redrives").asInt(0) > 0) {
      // A redriven run completes once per round: the round tells them apart.
      detail.put("round", summary.path("redrives").asInt());
    }
    events.publish(EventRules.RUN_COMPLETED, detail);
    runs.markCompletedEventPublished(runId);
  }
}
