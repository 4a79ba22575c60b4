package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar on the terminal: done/total, failures, rate. */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final int total;
  private final long startNanos = System.nanoTime();

  Progress(PrintWriter err, int total) {
    this.err = err;
    this.total = total;
  }

  void update(JsonNode run) {
    draw(run, false);
  }

  void finish(JsonNode run) {
    draw(run, true);
    err.println();
    err.flush();
  }

  private void draw(JsonNode run, boolean last) {
    int succeeded = run.path("succeeded").asInt();
    int failed = run.path("failed").asInt();
    int done = succeeded + failed;
    double seconds = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
    int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    err.printf(
        Locale.ROOT,
        "\r[%s] %d/%d done, %d failed, %.0f tasks/s, %s%s",
        bar,
        done,
        total,
        failed,
        done / seconds,
        run.path("status").asText(),
        last ? "" : "   ");
    err.flush();
  }
}
