package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a paged listing ({@code list}, {@code tasks}) as a table, or with --json as JSON Lines.
 * The header comes with the first row (or at the end, if there is none), so a listing the API
 * refuses leaves standard output empty.
 */
final class Listing {
  private final PrintWriter out;
  private final boolean json;
  private final String format;
  private final Object[] headers;
  private boolean headerShown;

  /**
   * @param format the {@link String#format} of a row, whose columns the headers name
   */
  Listing(PrintWriter out, boolean json, String format, Object... headers) {
    this.out = out;
    this.json = json;
    this.format = format;
    this.headers = headers;
    this.headerShown = json;
  }

  /** Checks a --limit option: 0 (all) or more. */
  static void checkLimit(int limit) {
    if (limit < 0) {
      throw new UsageException("--limit must be 0 (all) or more");
    }
  }

  /** One element: its JSON with --json, else a row of these values. */
  void row(JsonNode element, Object... values) {
    if (json) {
      out.println(Json.write(element));
      return;
    }
    header();
    out.printf(Locale.ROOT, format, values);
  }

  /** Ends the listing: a table without rows still has its header. */
  void end() {
    header();
    out.flush();
  }

  private void header() {
    if (!headerShown) {
      headerShown = true;
      out.printf(Locale.ROOT, format.replaceAll("%(-?\\d*)d", "%$1s"), headers);
    }
  }
}
