package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.ShardCount;
import java.time.Instant;
import java.util.List;

/**
 * A run as the API shows it: its record plus task counts from the shard counters. Counts cover only
 * tasks that exist: while a run is dispatching, {@code tasksCreated} says how many do.
 */
public record RunView(RunRecord run, int succeeded, int failed, int cancelled) {

  public RunView(RunRecord run, int succeeded, int failed) {
    this(run, succeeded, failed, 0);
  }

  public static RunView of(RunRecord run, List<ShardCount> counts) {
    int succeeded = counts.stream().mapToInt(ShardCount::succeeded).sum();
    int failed = counts.stream().mapToInt(ShardCount::failed).sum();
    int cancelled = counts.stream().mapToInt(ShardCount::cancelled).sum();
    return new RunView(run, succeeded, failed, cancelled);
  }

  /** Tasks that exist and are not terminal; a dispatching run's missing tasks are not counted. */
  public int inProgress() {
    return Math.max(0, run.tasksCreated() - succeeded - failed - cancelled);
  }

  public ObjectNode toJson() {
    ObjectNode json = Json.object();
    json.put("runId", run.runId());
    json.put("status", run.status().name());
    json.put("worker", run.spec().worker());
    json.set("workerConfig", run.spec().workerConfig());
    json.put("maxAttempts", run.spec().maxAttempts());
    json.put("taskTimeoutSeconds", run.spec().taskTimeoutSeconds());
    json.set("retry", run.spec().retry().toJson());
    run.spec()
        .controls()
        .toleratedFailureCount()
        .ifPresent(n -> json.put("toleratedFailureCount", n));
    run.spec()
        .controls()
        .toleratedFailurePercent()
        .ifPresent(p -> json.put("toleratedFailurePercent", p));
    if (run.spec().controls().capped()) {
      json.put("maxConcurrency", run.spec().controls().maxConcurrency());
    }
    json.put("dispatch", run.spec().dispatch().wireName());
    run.idempotencyKey().ifPresent(k -> json.put("idempotencyKey", k));
    json.put("total", run.spec().total());
    json.put("tasksCreated", run.tasksCreated());
    json.put("succeeded", succeeded);
    json.put("failed", failed);
    json.put("cancelled", cancelled);
    ObjectNode counts = json.putObject("counts");
    counts.put("SUCCEEDED", succeeded);
    counts.put("FAILED", failed);
    counts.put("CANCELLED", cancelled);
    counts.put("IN_PROGRESS", inProgress());
    if (run.dispatchedAt() == null) {
      ObjectNode dispatch = json.putObject("dispatchProgress");
      dispatch.put("chunks", run.spec().chunkCount());
      dispatch.put("chunksDispatched", run.dispatchedChunks().size());
      putIfSet(dispatch, "lastProgressAt", run.dispatchProgressAt());
    }
    if (run.discovery() != null) {
      // While DISCOVERING, total counts the items discovered so far.
      ObjectNode discovery = json.putObject("discovery");
      discovery.set("source", run.spec().discovery().source().toJson());
      discovery.put("discovered", run.spec().total());
      discovery.put("pages", run.discovery().pages());
      discovery.put("ended", run.spec().totalKnown());
      putIfSet(discovery, "endedAt", run.discovery().endedAt());
      putIfSet(discovery, "lastProgressAt", run.discovery().progressAt());
      if (run.discovery().error() != null) {
        discovery.put("error", run.discovery().error());
      }
      if (run.discovery().lastError() != null && !run.spec().totalKnown()) {
        discovery.put("lastError", run.discovery().lastError());
      }
    }
    putIfSet(json, "cancelRequestedAt", run.cancelRequestedAt());
    if (run.stopReason() != null) {
      json.put("stopReason", run.stopReason());
    }
    if (!run.redrives().isEmpty()) {
      // Round n is the n-th redrive; the counts above are the tasks' statuses now.
      json.put("round", run.round());
      ArrayNode redrives = json.putArray("redrives");
      for (RunRecord.Redrive redrive : run.redrives()) {
        ObjectNode entry = redrives.addObject();
        entry.put("round", redrive.round());
        ArrayNode statuses = entry.putArray("statuses");
        redrive.statuses().stream().sorted().forEach(statuses::add);
        entry.put("tasks", redrive.tasks());
        entry.put("redrivenAt", iso(redrive.requestedAt()));
      }
    }
    json.put("createdAt", iso(run.spec().createdAt()));
    json.put("expiresAt", iso(run.spec().expiresAt()));
    putIfSet(json, "dispatchedAt", run.dispatchedAt());
    putIfSet(json, "drainedAt", run.drainedAt());
    putIfSet(json, "completedAt", run.completedAt());
    if (run.summaryJson() != null) {
      json.set("summary", Json.parseTrusted(run.summaryJson()));
    }
    json.put("statusUrl", "/runs/" + run.runId());
    return json;
  }

  private static void putIfSet(ObjectNode json, String field, Instant instant) {
    if (instant != null) {
      json.put(field, iso(instant));
    }
  }

  private static String iso(Instant instant) {
    return instant.toString();
  }
}
