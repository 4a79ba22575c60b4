package io.hubspoke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The report as a plain-text table: one row per figure, nested figures on one line. */
public final class BenchTable {
  private BenchTable() {}

  public static String render(JsonNode report) {
    List<String[]> rows = new ArrayList<>();
    JsonNode machine = report.path("machine");
    for (Iterator<Map.Entry<String, JsonNode>> it = report.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> scenario = it.next();
      if (scenario.getKey().equals("machine")) {
        continue;
      }
      String name = scenario.getKey();
      for (Iterator<Map.Entry<String, JsonNode>> f = scenario.getValue().fields(); f.hasNext(); ) {
        Map.Entry<String, JsonNode> field = f.next();
        String key = field.getKey();
        JsonNode value = field.getValue();
        if (key.equals("target") || key.equals("meetsTarget")) {
          continue;
        }
        if (name.equals("modes") && key.equals("modes") || key.equals("modes") && name.isEmpty()) {
          continue; // the modes' figures: in the matrix below
        }
        if (value.isArray()) {
          for (int i = 0; i < value.size(); i++) {
            rows.add(new String[] {name, key + "[" + i + "]", inline(value.get(i))});
            name = "";
          }
        } else if (value.isObject() && !allScalar(value)) {
          for (Iterator<Map.Entry<String, JsonNode>> s = value.fields(); s.hasNext(); ) {
            Map.Entry<String, JsonNode> sub = s.next();
            rows.add(new String[] {name, key + "." + sub.getKey(), inline(sub.getValue())});
            name = "";
          }
        } else {
          rows.add(new String[] {name, key, inline(value)});
          name = "";
        }
      }
      if (scenario.getValue().has("target")) {
        rows.add(
            new String[] {
              name,
              "TARGET",
              scenario.getValue().get("target").asText()
                  + (scenario.getValue().path("meetsTarget").asBoolean() ? "  → met" : "  → MISSED")
            });
      }
      rows.add(null);
    }
    int w0 = "scenario".length();
    int w1 = "figure".length();
    for (String[] row : rows) {
      if (row != null) {
        w0 = Math.max(w0, row[0].length());
        w1 = Math.max(w1, row[1].length());
      }
    }
    StringBuilder out = new StringBuilder();
    if (!machine.isMissingNode()) {
      out.append("hubspoke bench on ")
          .append(machine.path("cores").asInt())
          .append(" cores, ")
          .append(machine.path("java").asText())
          .append(", ")
          .append(machine.path("os").asText())
          .append(" (a small, shared machine: compare ratios, not absolute times)\n\n");
    }
    String format = "%-" + w0 + "s  %-" + w1 + "s  %s%n";
    out.append(String.format(format, "scenario", "figure", "value"));
    out.append(String.format(format, "-".repeat(w0), "-".repeat(w1), "-----"));
    for (String[] row : rows) {
      if (row == null) {
        out.append('\n');
      } else {
        out.append(String.format(format, row[0], row[1], row[2]));
      }
    }
    if (report.path("modes").has("modes")) {
      out.append('\n').append(ModesBench.matrix(report.path("modes")));
    }
    return out.toString();
  }

  private static boolean allScalar(JsonNode object) {
    for (JsonNode v : object) {
      if (v.isContainerNode()) {
        return false;
      }
    }
    return true;
  }

  private static String inline(JsonNode value) {
    if (!value.isContainerNode()) {
      return value.asText();
    }
    StringBuilder b = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("response")) {
        continue; // a whole API response: in the JSON report only
      }
      if (b.length() > 0) {
        b.append("  ");
      }
      b.append(e.getKey()).append('=').append(inline(e.getValue()));
    }
    return b.toString();
  }
}
