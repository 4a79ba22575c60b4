package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.bench.BenchTable;
import io.hubspoke.bench.Scenarios;
import io.hubspoke.contract.json.Json;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every scenario of {@code hubspoke bench} at a small size through the command line, so the
 * benchmark cannot rot. It checks that each figure is reported and that counts are exact; it never
 * checks a timing or a target (the report carries those).
 */
class BenchIT {
  static JsonNode report;
  static String stderr;

  @BeforeAll
  static void runAllScenariosSmall() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        HubspokeCli.execute(
            new String[] {"bench", "all", "--small", "--json"},
            new ByteArrayInputStream(new byte[0]),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    stderr = err.toString();
    System.out.println(stderr); // each scenario's duration, in the failsafe output file
    assertEquals(0, exit, "exit code; stderr:\n" + stderr + "\nstdout:\n" + out);
    report = Json.parse(out.toString());
  }

  static JsonNode scenario(String name) {
    JsonNode s = report.path(name);
    assertTrue(s.isObject(), name + " is missing: " + report);
    assertTrue(!s.has("error"), name + " failed: " + s.path("error").asText());
    return s;
  }

  static void hasNumbers(JsonNode node, String... fields) {
    for (String f : fields) {
      assertTrue(node.path(f).isNumber(), f + " is not a number in " + node);
    }
  }

  static void hasTarget(JsonNode node) {
    assertTrue(node.path("target").isTextual(), "target in " + node);
    assertTrue(node.path("meetsTarget").isBoolean(), "meetsTarget in " + node);
  }

  @Test
  void reportsTheMachine() {
    assertTrue(report.path("machine").path("cores").asInt() >= 1);
  }

  @Test
  void makespan() {
    JsonNode s = scenario("makespan");
    hasNumbers(s, "makespanSeconds", "idealSeconds", "ratio", "sequentialSeconds");
    assertEquals(40, s.get("succeeded").asInt());
    assertEquals(0, s.get("failed").asInt());
    assertEquals(Math.ceil(40 / 8.0) * 0.05, s.get("idealSeconds").asDouble(), 1e-9);
    assertEquals(40 * 0.05, s.get("sequentialSeconds").asDouble(), 1e-9);
    hasTarget(s);
  }

  @Test
  void dispatchCountsTheHubsRequestsExactly() {
    JsonNode s = scenario("dispatch");
    hasNumbers(s, "batchedSeconds", "naiveSeconds", "speedup", "hubRequestsPerItem");
    JsonNode ops = s.get("hubRequestsByOperation");
    // 300 items: 6 chunks of 50 → accepted with one BatchWriteItem of the 6 chunk records (each
    // under 1 KB) and one SendMessageBatch of 6 dispatch messages; dispatched with 12
    // BatchWriteItem
    // of 25 tasks, 30 full SendMessageBatch of 10, and per chunk a claim, the run's chunk set and
    // the chunk's DONE, then DISPATCHING → RUNNING (19 UpdateItem).
    assertEquals(13, ops.get("DynamoDb.BatchWriteItem").get("requests").asInt());
    assertEquals(306.0, ops.get("DynamoDb.BatchWriteItem").get("writeUnits").asDouble());
    assertEquals(31, ops.get("Sqs.SendMessageBatch").get("requests").asInt());
    assertEquals(19, ops.get("DynamoDb.UpdateItem").get("requests").asInt());
    assertEquals(1, ops.get("DynamoDb.PutItem").get("requests").asInt(), "the run item");
    assertEquals(1, ops.get("EventBridge.PutEvents").get("requests").asInt(), "RunStarted");
    assertEquals(2.0, s.get("naiveRequestsPerItem").asDouble(), "one PutItem + one SendMessage");
    // The baseline runs with the hub's parallelism, so the speedup is batching's alone.
    assertEquals(Scenarios.DISPATCHERS, s.get("hubParallelism").asInt());
    assertEquals(Scenarios.DISPATCHERS, s.get("naiveParallelism").asInt());
    int naivePeak = s.get("naivePeakRequestsInFlight").asInt();
    assertTrue(
        naivePeak > 1 && naivePeak <= Scenarios.DISPATCHERS,
        "the baseline's requests overlap, at most one per worker: " + naivePeak);
    int hubPeak = s.get("hubPeakRequestsInFlight").asInt();
    assertTrue(hubPeak > 1 && hubPeak <= Scenarios.DISPATCHERS, "" + hubPeak);
    hasTarget(s);
  }

  @Test
  void costCountsEveryRequestAndPricesIt() {
    JsonNode s = scenario("cost");
    JsonNode ops = s.get("requestsByOperation");
    // 60 tasks: two chunks (50 + 10) → 1 BatchWriteItem of chunk records and 1 SendMessageBatch
    // of dispatch messages, then 2 + 1 BatchWriteItem of tasks and 5 + 1 SendMessageBatch.
    assertEquals(4, ops.get("DynamoDb.BatchWriteItem").get("requests").asInt());
    assertEquals(62.0, ops.get("DynamoDb.BatchWriteItem").get("writeUnits").asDouble());
    assertEquals(7, ops.get("Sqs.SendMessageBatch").get("requests").asInt());
    // A claim and a commit per task; one counter write per spoke batch (60 tasks: one shard);
    // the run's own few updates.
    int updates = ops.get("DynamoDb.UpdateItem").get("requests").asInt();
    int spokeInvocations = s.get("lambda").get("spokeInvocations").asInt();
    assertTrue(updates > 2 * 60, "updates: " + updates);
    assertTrue(
        // + per chunk (2) its claim, the run's chunk set and its DONE
        updates <= 2 * 60 + spokeInvocations + 10 + 3 * 2,
        "counter writes are shared by a batch: " + updates + " updates, " + spokeInvocations);
    assertTrue(ops.has("Sqs.ReceiveMessage"), "the poller's requests are counted");
    assertTrue(ops.has("Sqs.DeleteMessageBatch"), "the poller's requests are counted");
    assertEquals(3, ops.get("EventBridge.PutEvents").get("requests").asInt(), "3 run events");
    JsonNode lambda = s.get("lambda");
    // One to accept the run, one or two to dispatch its two chunks (a batch holds up to five).
    int hubInvocations = lambda.get("hubInvocations").asInt();
    assertTrue(hubInvocations == 2 || hubInvocations == 3, "hub invocations: " + hubInvocations);
    assertEquals(1, lambda.get("collectorInvocations").asInt());
    assertTrue(lambda.get("spokeInvocations").asInt() >= 6, "60 tasks in batches of <= 10");
    double writeUnits = s.get("dynamodbWriteUnitsPerTask").asDouble();
    assertTrue(writeUnits > 3.0 && writeUnits < 4.0, "put, claim, commit, a share of a count");
    hasNumbers(s, "usdPerMillionTasks", "dmapUsdPerMillion", "dmapTransitionsPerItem");
    assertTrue(s.get("usdPerMillionTasks").asDouble() > 0);
    assertEquals(50.0, s.get("dmapUsdPerMillion").asDouble(), "2 transitions x $0.025/1,000");

    // Distributed Map batched as the spokes are: an ItemBatcher of the spoke's batch size.
    JsonNode standard = s.get("dmapStandardBatched");
    assertEquals(10, standard.get("batchSize").asInt(), "the spoke's batch size");
    assertEquals(0.2, standard.get("transitionsPerItem").asDouble(), 1e-12, "2 per child of 10");
    assertEquals(5.0, standard.get("usdPerMillion").asDouble(), 1e-9, "0.2 x $0.025/1,000 x 1M");
    JsonNode express = s.get("dmapExpressBatched");
    assertEquals(10, express.get("batchSize").asInt(), "the spoke's batch size");
    assertEquals(100_000, express.get("childExecutionsPerMillion").asLong());
    int billedMs = express.get("billedMsPerChild").asInt();
    assertTrue(
        billedMs >= 100 && billedMs % 100 == 0, "100 ms steps, 100 ms at least: " + billedMs);
    assertEquals(64, express.get("billedMbPerChild").asInt(), "64 MB steps");
    assertEquals(0.1, express.get("requestsUsdPerMillion").asDouble(), 1e-9, "$1.00 per million");
    double gbSeconds = 100_000 * billedMs / 1000.0 * 64 / 1024.0;
    assertEquals(gbSeconds, express.get("gbSecondsPerMillion").asDouble(), 1e-6);
    assertEquals(gbSeconds * 0.06 / 3600, express.get("durationUsdPerMillion").asDouble(), 1e-4);
    assertEquals(0.1 + gbSeconds * 0.06 / 3600, express.get("usdPerMillion").asDouble(), 1e-2);
    hasTarget(s);
  }

  @Test
  void initMeasuresEachFunctionInAFreshJvm() {
    JsonNode s = scenario("init");
    for (String f : List.of("hub", "spoke", "collector")) {
      JsonNode fn = s.get(f);
      hasNumbers(fn, "initMs", "loadMs", "constructMs", "firstInvokeMs", "jarMb");
      assertTrue(fn.get("jarMb").asDouble() > 1, f + " jar size");
    }
    assertTrue(s.get("hub").get("response").asText().contains("\"total\":1"));
    assertTrue(s.get("spoke").get("response").asText().contains("\"batchItemFailures\":0"));
    assertTrue(s.get("collector").get("response").asText().contains("SUMMARIZED"));
    hasTarget(s);
  }

  @Test
  void throughputRunsEveryLevel() {
    JsonNode s = scenario("throughput");
    JsonNode levels = s.get("levels");
    assertEquals(2, levels.size());
    for (JsonNode level : levels) {
      assertEquals(60, level.get("succeeded").asInt());
      hasNumbers(level, "tasksPerSecond", "msPerTask", "requestsPerTask");
    }
  }

  @Test
  void bigCompletesWithExactCounts() {
    JsonNode s = scenario("big");
    assertEquals(600, s.get("tasks").asInt());
    assertEquals(2, s.get("runs").asInt());
    assertEquals(600, s.get("succeeded").asInt());
    assertEquals(0, s.get("failed").asInt());
    assertTrue(s.get("exactCounts").asBoolean());
    hasNumbers(
        s,
        "durationSeconds",
        "hubPeakLiveHeapMbFirstRun",
        "hubPeakLiveHeapMbAllRuns",
        "hubRetainedHeapMbAllRuns");
    hasTarget(s);
  }

  @Test
  void theTableShowsEveryScenario() {
    String table = BenchTable.render(report);
    for (String name : Scenarios.ALL) {
      assertTrue(table.contains(name), name + " in\n" + table);
    }
  }

  @Test
  void modesRunsTheSameWorkThroughEveryDispatchModeAndPrintsTheMatrix() {
    JsonNode s = scenario("modes");
    assertEquals(60, s.get("tasks").asInt());
    assertEquals(20, s.get("concurrency").asInt());
    JsonNode modes = s.get("modes");
    assertEquals(
        java.util.List.of("queue", "push", "pull", "hybrid"),
        java.util.stream.StreamSupport.stream(modes.spliterator(), false)
            .map(m -> m.get("mode").asText())
            .toList());
    for (JsonNode mode : modes) {
      for (String workload : java.util.List.of("work", "noWork")) {
        JsonNode w = mode.get(workload);
        hasNumbers(
            w,
            "makespanSeconds",
            "firstStartSeconds",
            "startP50Seconds",
            "startP95Seconds",
            "requestsPerTask",
            "usdPerMillionTasks",
            "emptyPollsPerTask",
            "lostClaimsPerTask");
        assertTrue(w.get("requestsPerTask").asDouble() > 0, mode.toString());
      }
      hasNumbers(mode.get("outage"), "tasksWaitingWhenBack", "recoverySeconds", "makespanSeconds");
    }
    // What sets the modes apart, in the requests each makes: messages, invocations, API, events.
    assertTrue(modes.get(0).at("/work/sqsRequestsPerTask").asDouble() > 0.1, modes.toString());
    assertTrue(modes.get(1).at("/work/spokeInvocationsPerTask").asDouble() > 0, modes.toString());
    assertTrue(modes.get(2).at("/work/apiRequestsPerTask").asDouble() >= 1, modes.toString());
    assertEquals(0, modes.get(2).at("/work/spokeInvocationsPerTask").asDouble());
    assertTrue(modes.get(3).at("/work/eventsPerTask").asDouble() > 0, modes.toString());
    assertTrue(
        BenchTable.render(report).contains("dispatch modes, side by side"),
        BenchTable.render(report));
  }
}
