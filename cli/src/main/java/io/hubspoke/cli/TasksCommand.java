package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "tasks",
    mixinStandardHelpOptions = true,
    description =
        "Lists a run's tasks, or shows one task (TASK_NUMBER) with each of its attempts. Exit 0, 2 for an unknown run or task, a bad option or a refused request, 3 if the API is unreachable.")
final class TasksCommand implements Callable<Integer> {
  private static final Map<String, String> NAMES =
      Map.of(
          "runId", "RUN_ID", "status", "--status", "taskNumber", "TASK_NUMBER", "limit", "--limit");

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "the run")
  String runId;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "TASK_NUMBER",
      description = "one task: its number, the part of its task id after the slash (42 or 000042)")
  String taskNumber;

  @Option(
      names = "--status",
      description = "only tasks in this status: PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED")
  String status;

  @Option(
      names = "--limit",
      description = "at most this many tasks, 0 for all (default ${DEFAULT-VALUE})",
      defaultValue = "25")
  int limit;

  @Option(names = "--json", description = "print each task (or the one task) as a line of JSON")
  boolean json;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Listing.checkLimit(limit);
    if (taskNumber != null && status != null) {
      throw new UsageException(
          "give TASK_NUMBER or --status, not both: --status filters the listing of all tasks");
    }
    PrintWriter out = spec.commandLine().getOut();
    HubApiClient client = remote.client();
    if (taskNumber != null) {
      task(client, out);
    } else {
      list(client, out);
    }
    out.flush();
    return HubspokeCli.EXIT_SUCCEEDED;
  }

  private void list(HubApiClient client, PrintWriter out) throws Exception {
    Map<String, String> query = new LinkedHashMap<>();
    if (status != null) {
      query.put("status", status);
    }
    Listing listing =
        new Listing(
            out, json, "%-8d %-10s %7d %9s  %s%n", "TASK", "STATUS", "ATTEMPT", "MS", "OUTCOME");
    client.forEach(
        "/runs/" + runId + "/tasks",
        query,
        "tasks",
        limit,
        NAMES,
        task ->
            listing.row(
                task,
                task.path("index").asInt(),
                task.path("status").asText(),
                task.path("attempt").asInt(),
                task.has("durationMs") ? task.get("durationMs").asText() : "-",
                outcome(task)));
    listing.end();
  }

  private void task(HubApiClient client, PrintWriter out) throws Exception {
    String request = "/runs/" + runId + "/tasks/" + taskNumber;
    HubApiClient.Reply reply = client.retried("GET", request, null);
    if (reply.status() == 404 && reply.error().equals("TaskNotFound")) {
      throw new UsageException(
          "run "
              + runId
              + " has no task "
              + taskNumber
              + " (yet): its tasks are numbered from 0, and exist once dispatched; `hubspoke tasks "
              + runId
              + "` lists them");
    }
    JsonNode task = client.expect(reply, "GET " + request, NAMES);
    if (json) {
      out.println(Json.write(task));
      return;
    }
    SummaryTable.row(out, "task", task.path("taskId").asText());
    SummaryTable.row(out, "status", task.path("status").asText());
    SummaryTable.row(out, "item", Json.write(task.path("item")));
    if (task.has("result")) {
      SummaryTable.row(out, "result", Json.write(task.get("result")));
    }
    if (task.has("errorType")) {
      SummaryTable.row(
          out,
          "error",
          task.path("errorType").asText() + ": " + task.path("errorMessage").asText());
    }
    SummaryTable.row(out, "attempts", task.path("attempt").asText());
    if (task.has("durationMs")) {
      SummaryTable.row(out, "duration", task.get("durationMs").asText() + " ms");
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "%-7s %-14s %-28s %-28s %s%n",
        "ATTEMPT",
        "OUTCOME",
        "STARTED",
        "ENDED",
        "SPOKE");
    for (JsonNode attempt : task.path("attempts")) {
      out.printf(
          Locale.ROOT,
          "%-7d %-14s %-28s %-28s %s%s%n",
          attempt.path("attempt").asInt(),
          attempt.path("outcome").asText(),
          attempt.path("startedAt").asText(),
          attempt.path("endedAt").asText("-"),
          attempt.path("spoke").asText(),
          attempt.has("errorType")
              ? "  "
                  + attempt.get("errorType").asText()
                  + ": "
                  + attempt.path("errorMessage").asText()
              : "");
    }
  }

  /** A task's result or error, on one line. */
  private static String outcome(JsonNode task) {
    if (task.has("errorType")) {
      return task.get("errorType").asText() + ": " + task.path("errorMessage").asText();
    }
    return task.has("result") ? Json.write(task.get("result")) : "";
  }
}
