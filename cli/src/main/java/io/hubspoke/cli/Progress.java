package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on the terminal: done/total, failures, rate. While a run's items are
 * being discovered its total is not known yet: the line says how many were discovered so far, and
 * the bar appears once discovery has ended.
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final int total;
  private final long startNanos = System.nanoTime();
  private int lastLength;

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
    int cancelled = run.path("cancelled").asInt();
    // A cancelled task is done too (it will never run); shown only once there are some.
    int done = succeeded + failed + cancelled;
    String cancelledText =
        cancelled > 0 ? String.format(Locale.ROOT, ", %d cancelled", cancelled) : "";
    double seconds = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
    JsonNode discovery = run.path("discovery");
    String line;
    if (discovery.isObject() && !discovery.path("ended").asBoolean()) {
      int pages = discovery.path("pages").asInt();
      line =
          String.format(
              Locale.ROOT,
              "discovering: %,d items so far (%,d %s), %d done, %d failed%s, %.0f tasks/s, %s",
              discovery.path("discovered").asInt(),
              pages,
              pages == 1 ? "page" : "pages",
              done,
              failed,
              cancelledText,
              done / seconds,
              run.path("status").asText());
    } else {
      // A discovered run's total grows until discovery ends; a run of given items has it at once.
      int known = run.has("total") ? run.path("total").asInt() : total;
      int filled = known == 0 ? WIDTH : (int) (Math.min(done, known) * (long) WIDTH / known);
      String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
      line =
          String.format(
              Locale.ROOT,
              "[%s] %d/%d done, %d failed%s, %.0f tasks/s, %s",
              bar,
              done,
              known,
              failed,
              cancelledText,
              done / seconds,
              run.path("status").asText());
    }
    // Blank out what is left of a longer line drawn before (the discovering line, say).
    String padding = " ".repeat(Math.max(last ? 0 : 3, lastLength - line.length()));
    lastLength = line.length();
    err.print("\r" + line + padding);
    err.flush();
  }
}
