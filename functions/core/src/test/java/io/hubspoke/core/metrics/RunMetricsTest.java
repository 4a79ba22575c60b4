package io.hubspoke.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.model.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00.250Z");

  @Test
  void emfLineOfAFailedRun() {
    assertEquals(
        "{\"_aws\":{\"Timestamp\":1772366400250,\"CloudWatchMetrics\":[{\"Namespace\":\"Hubspoke\","
            + "\"Dimensions\":[[\"TableName\"]],\"Metrics\":[{\"Name\":\"RunsSucceeded\","
            + "\"Unit\":\"Count\"},{\"Name\":\"RunsFailed\",\"Unit\":\"Count\"}]}]},"
            + "\"TableName\":\"Hubspoke-StoreTable\",\"RunsSucceeded\":0,\"RunsFailed\":1,"
            + "\"runId\":\"r-1\",\"status\":\"FAILED\"}",
        RunMetrics.runFinishedLine("Hubspoke-StoreTable", "r-1", RunStatus.FAILED, AT));
  }

  @Test
  void emfLineOfASucceededRun() {
    assertEquals(
        "{\"_aws\":{\"Timestamp\":1772366400250,\"CloudWatchMetrics\":[{\"Namespace\":\"Hubspoke\","
            + "\"Dimensions\":[[\"TableName\"]],\"Metrics\":[{\"Name\":\"RunsSucceeded\","
            + "\"Unit\":\"Count\"},{\"Name\":\"RunsFailed\",\"Unit\":\"Count\"}]}]},"
            + "\"TableName\":\"t\",\"RunsSucceeded\":1,\"RunsFailed\":0,"
            + "\"runId\":\"r-2\",\"status\":\"SUCCEEDED\"}",
        RunMetrics.runFinishedLine("t", "r-2", RunStatus.SUCCEEDED, AT));
  }

  @Test
  void emfLineWithSeveralDimensionsAndNoProperties() {
    Map<String, String> dimensions = new LinkedHashMap<>();
    dimensions.put("A", "a");
    dimensions.put("B", "b");
    assertEquals(
        "{\"_aws\":{\"Timestamp\":0,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
            + "\"Dimensions\":[[\"A\",\"B\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Count\"}]}]},"
            + "\"A\":\"a\",\"B\":\"b\",\"M\":2.5}",
        Emf.line("N", dimensions, Map.of("M", 2.5), Map.of(), Instant.EPOCH));
  }

  @Test
  void writtenToStandardOutputAsOneLineInsideLambdaOnly() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    // The local runtime hands the functions a table name, but it is not Lambda.
    RunMetrics.runFinished(
        Map.of(HubspokeEnvironment.TABLE_NAME, "t"), out, "r-1", RunStatus.FAILED, AT);
    assertEquals("", bytes.toString(StandardCharsets.UTF_8), "outside Lambda");

    RunMetrics.runFinished(
        Map.of(RunMetrics.LAMBDA_FUNCTION_NAME, "fn", HubspokeEnvironment.TABLE_NAME, "t"),
        out,
        "r-1",
        RunStatus.FAILED,
        AT);
    assertEquals(
        RunMetrics.runFinishedLine("t", "r-1", RunStatus.FAILED, AT) + "\n",
        bytes.toString(StandardCharsets.UTF_8));
  }
}
