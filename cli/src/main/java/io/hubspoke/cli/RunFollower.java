package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;

/**
 * Follows a run to its end with a progress bar, then prints its summary (or, with --json, the final
 * run record): what {@code run}, {@code submit --watch}, {@code watch}, {@code cancel --watch} and
 * {@code redrive --watch} end with. The exit code is the run's: 0 if it SUCCEEDED, 1 otherwise.
 */
final class RunFollower {
  private RunFollower() {}

  /** The line that says a run was accepted: its id, its size (or source) and worker. */
  static String submitted(JsonNode accepted, ObjectNode request) {
    return "run "
        + accepted.get("runId").asText()
        + ": "
        + (request.has("source")
            ? "items discovered from " + Json.write(request.get("source"))
            : accepted.path("total").asInt() + " tasks")
        + ", worker "
        + request.path("worker").asText(accepted.path("worker").asText());
  }

  /**
   * Polls the run until it has ended, drawing progress on standard error unless {@code json}.
   *
   * @param run the run as last seen (at least its {@code runId}; its {@code total} sizes the bar)
   */
  static int follow(
      HubApiClient client, JsonNode run, boolean json, PrintWriter out, PrintWriter err)
      throws Exception {
    Progress progress = json ? null : new Progress(err, run.path("total").asInt());
    JsonNode finished = client.awaitFinished(run.get("runId").asText(), progress);
    if (json) {
      out.println(Json.write(finished));
    } else {
      progress.finish(finished);
      SummaryTable.print(out, finished);
    }
    out.flush();
    return exitCode(finished);
  }

  /**
   * What a command that changed a run ends with: with {@code watch}, says so on standard error and
   * follows the run to its end; else prints what it did (or, with {@code json}, the run) and exits
   * 0.
   */
  static int reportOrFollow(
      HubApiClient client,
      JsonNode run,
      String said,
      boolean watch,
      boolean json,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    if (watch) {
      err.println(said);
      return follow(client, run, json, out, err);
    }
    out.println(json ? Json.write(run) : said);
    out.flush();
    return HubspokeCli.EXIT_SUCCEEDED;
  }

  static int exitCode(JsonNode run) {
    return "SUCCEEDED".equals(run.path("status").asText())
        ? HubspokeCli.EXIT_SUCCEEDED
        : HubspokeCli.EXIT_FAILED;
  }
}
