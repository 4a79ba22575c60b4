package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.contract.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorTextTest {
  @Test
  void aQueryOrBodyFieldIsNamedAsTheCommandLineNamesIt() throws Exception {
    var body =
        Json.parse(
            "{\"error\":\"ValidationError\",\"message\":\"bad\",\"errors\":["
                + "{\"field\":\"statuses[1]\",\"message\":\"m1\",\"fix\":\"f1\"},"
                + "{\"field\":\"status\",\"message\":\"m2\",\"fix\":\"f2\"},"
                + "{\"field\":\"statusesX\",\"message\":\"m3\",\"fix\":\"f3\"},"
                + "{\"field\":\"limit\",\"message\":\"m4\",\"fix\":\"f4\"}]}");
    String text =
        ErrorText.fromResponse(body, Map.of("statuses", "--statuses", "status", "--status"));
    assertEquals(
        String.join(
            System.lineSeparator(),
            "bad",
            "  --statuses[1]: m1 (fix: f1)",
            "  --status: m2 (fix: f2)",
            "  statusesX: m3 (fix: f3)",
            "  limit: m4 (fix: f4)"),
        text);
  }
}
