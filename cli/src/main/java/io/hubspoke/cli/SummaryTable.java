package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a finished run's summary as a table (with how discovery went, for a run with a source).
 */
final class SummaryTable {
  private SummaryTable() {}

  static void print(PrintWriter out, JsonNode run) {
    JsonNode summary = run.path("summary");
    row(out, "run", run.path("runId").asText());
    row(out, "status", run.path("status").asText());
    JsonNode discovery = summary.path("discovery");
    if (discovery.isObject()) {
      int pages = discovery.path("pages").asInt();
      row(
          out,
          "discovery",
          String.format(
                  Locale.ROOT,
                  "%,d %s, %,d items",
                  pages,
                  pages == 1 ? "page" : "pages",
                  discovery.path("items").asInt())
              + (discovery.hasNonNull("error")
                  ? "; failed: " + discovery.path("error").asText()
                  : ""));
    }
    row(out, "tasks", Integer.toString(summary.path("total").asInt()));
    row(out, "succeeded", Integer.toString(summary.path("succeeded").asInt()));
    row(out, "failed", Integer.toString(summary.path("failed").asInt()));
    row(out, "attempts", Long.toString(summary.path("attempts").asLong()));
    row(out, "retried tasks", Integer.toString(summary.path("retriedTasks").asInt()));
    JsonNode durations = summary.path("taskDurationMs");
    row(
        out,
        "task duration",
        String.format(
            Locale.ROOT,
            "p50 %d ms, p95 %d ms, max %d ms",
            durations.path("p50").asLong(),
            durations.path("p95").asLong(),
            durations.path("max").asLong()));
    row(
        out,
        "wall clock",
        String.format(Locale.ROOT, "%.2f s", summary.path("wallClockMs").asLong() / 1000.0));
    if (summary.path("failuresByError").size() > 0) {
      out.println();
      out.println("failures by error:");
      for (JsonNode group : summary.path("failuresByError")) {
        out.printf(
            Locale.ROOT,
            "  %6d  %s: %s%n",
            group.path("count").asInt(),
            group.path("errorType").asText(),
            group.path("message").asText());
      }
      out.println("first failures:");
      for (JsonNode failure : summary.path("firstFailures")) {
        out.printf(
            Locale.ROOT,
            "  %s after %d attempt(s): %s%n",
            failure.path("taskId").asText(),
            failure.path("attempts").asInt(),
            failure.path("errorType").asText());
      }
    }
    out.flush();
  }

  /**
   * Prints a run as it is now: its summary once it has one, else its status and counts so far (and
   * its discovery, while DISCOVERING).
   */
  static void printRun(PrintWriter out, JsonNode run) {
    if (run.path("summary").isObject()) {
      print(out, run);
      return;
    }
    row(out, "run", run.path("runId").asText());
    row(out, "status", run.path("status").asText());
    row(out, "worker", run.path("worker").asText());
    JsonNode discovery = run.path("discovery");
    if (discovery.isObject()) {
      row(
          out,
          "discovery",
          String.format(
              Locale.ROOT,
              "%,d items in %,d pages%s",
              discovery.path("discovered").asInt(),
              discovery.path("pages").asInt(),
              discovery.path("ended").asBoolean() ? ", ended" : " so far"));
    }
    row(
        out,
        "tasks",
        run.path("tasksCreated").asInt(run.path("total").asInt())
            + " created of "
            + run.path("total").asInt());
    row(out, "succeeded", Integer.toString(run.path("succeeded").asInt()));
    row(out, "failed", Integer.toString(run.path("failed").asInt()));
    row(out, "in progress", Integer.toString(run.at("/counts/IN_PROGRESS").asInt()));
    row(out, "created", run.path("createdAt").asText());
    out.flush();
  }

  static void row(PrintWriter out, String name, String value) {
    out.printf(Locale.ROOT, "%-15s %s%n", name, value);
  }
}
