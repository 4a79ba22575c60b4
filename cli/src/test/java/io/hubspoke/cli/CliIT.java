package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.Faults;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hubspoke command line, run in-process with its exit code. */
class CliIT {
  record Result(int exit, String out, String err) {}

  static Result run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        HubspokeCli.execute(
            args,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  static Path examples() {
    Path here = Path.of("").toAbsolutePath();
    return (Files.isDirectory(here.resolve("examples")) ? here : here.getParent())
        .resolve("examples");
  }

  @Test
  void runsTheExampleAndPrintsTheRunAsJsonWithExactCounts() throws Exception {
    Result result =
        run(
            "",
            "run",
            examples().resolve("repos.json").toString(),
            "--worker",
            "sleep",
            "--worker-config",
            "{\"ms\":1}",
            "--json");
    assertEquals(0, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(300, run.get("total").asInt());
    assertEquals(300, run.get("succeeded").asInt());
    assertEquals(0, run.get("failed").asInt());
    assertEquals(300, run.get("summary").get("succeeded").asInt());
  }

  @Test
  void theRunOptionsCapItsConcurrencyAndSetItsTolerance() throws Exception {
    Result result =
        run(
            "1\n2\n3\n4\n5\n6\n",
            "run",
            "-",
            "--max-concurrency",
            "2",
            "--tolerated-failure-count",
            "1",
            "--json");
    assertEquals(0, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(2, run.get("maxConcurrency").asInt(), run.toString());
    assertEquals(1, run.get("toleratedFailureCount").asInt(), run.toString());
    assertEquals(6, run.get("succeeded").asInt(), run.toString());
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "--dispatch {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"push", "hybrid"})
  void aPushOrHybridRunCompletesWithExactCounts(String dispatch) throws Exception {
    Result result =
        run(
            "",
            "run",
            examples().resolve("repos.json").toString(),
            "--worker",
            "sleep",
            "--worker-config",
            "{\"ms\":1}",
            "--dispatch",
            dispatch,
            "--json");
    assertEquals(0, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(dispatch, run.get("dispatch").asText(), run.toString());
    assertEquals(300, run.get("succeeded").asInt(), run.toString());
    assertEquals(300, run.get("summary").get("succeeded").asInt(), run.toString());
  }

  @Test
  void aFailedRunExitsOneAndShowsTheSummaryTable(@TempDir Path dir) throws Exception {
    Result result =
        run(
            "1\n2\n3\n",
            "run",
            "-",
            "--worker",
            "http",
            "--worker-config",
            "{\"url\":\"http://127.0.0.1:1/none\",\"timeoutMs\":200}",
            "--max-attempts",
            "1");
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.out().contains("failed          3"), result.out());
    assertTrue(result.out().contains("ConnectionError"), result.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing", "notjson", "empty", "badflag", "badconfig", "emptyarray"})
  void usageErrorsExitTwo(String kind, @TempDir Path dir) throws Exception {
    Path notJson = Files.writeString(dir.resolve("bad.json"), "[1, 2,");
    Path empty = Files.writeString(dir.resolve("empty.json"), "  \n");
    Path emptyArray = Files.writeString(dir.resolve("empty-array.json"), "[]");
    Path ok = Files.writeString(dir.resolve("ok.json"), "[1]");
    Result result =
        switch (kind) {
          case "missing" -> run("", "run", dir.resolve("nope.json").toString());
          case "notjson" -> run("", "run", notJson.toString());
          case "empty" -> run("", "run", empty.toString());
          case "emptyarray" -> run("", "run", emptyArray.toString());
          case "badflag" -> run("", "run", ok.toString(), "--max-atempts", "3");
          default -> run("", "run", ok.toString(), "--worker-config", "{ms:1}");
        };
    assertEquals(2, result.exit(), kind + ": " + result.err());
    assertTrue(!result.err().isBlank(), "an explanation is printed");
  }

  /** A run takes its items from ITEMS_FILE or from --source: exactly one of them. */
  @Test
  void itemsFileOrSourceExactlyOne(@TempDir Path dir) throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.json"), "[1]");
    Result both = run("", "run", ok.toString(), "--source", "{\"type\":\"range\",\"end\":10}");
    assertEquals(2, both.exit(), both.err());
    assertTrue(both.err().contains("give ITEMS_FILE or --source, not both"), both.err());

    Result neither = run("", "run", "--worker", "echo");
    assertEquals(2, neither.exit(), neither.err());
    assertTrue(
        neither.err().contains("give ITEMS_FILE (")
            && neither.err().contains("or --source JSON")
            && neither.err().contains("{\"type\":\"range\",\"end\":1000}"),
        neither.err());

    Result notJson = run("", "run", "--source", "{type:range}");
    assertEquals(2, notJson.exit(), notJson.err());
    assertTrue(notJson.err().contains("--source is not JSON"), notJson.err());

    Result nullSource = run("", "run", "--source", "null");
    assertEquals(2, nullSource.exit(), nullSource.err());
    assertTrue(nullSource.err().contains("--source is empty or null"), nullSource.err());
    Result emptySource = run("", "run", "--source", " ");
    assertEquals(2, emptySource.exit(), emptySource.err());
    assertTrue(emptySource.err().contains("--source is empty or null"), emptySource.err());

    Result badSource = run("", "run", "--source", "{\"type\":\"range\",\"end\":0}");
    assertEquals(2, badSource.exit(), badSource.err());
    assertTrue(badSource.err().contains("source.end"), badSource.err());

    Result notAnObject = run("", "run", "--source", "[1,2]");
    assertEquals(2, notAnObject.exit(), notAnObject.err());
    assertTrue(notAnObject.err().contains("source: must be a JSON object"), notAnObject.err());
  }

  /** A range source through the CLI: the hub discovers 1,000 numbers, each one task. */
  @Test
  void aRangeSourceRunsEachNumberOnce() throws Exception {
    Result result =
        run("", "run", "--source", "{\"type\":\"range\",\"start\":5,\"end\":2505,\"step\":2}");
    assertEquals(0, result.exit(), result.err());
    assertTrue(result.err().contains("items discovered from {\"type\":\"range\""), result.err());
    assertTrue(result.out().contains("discovery       2 pages, 1,250 items"), result.out());
    assertTrue(result.out().contains("tasks           1250"), result.out());
    assertTrue(result.out().contains("succeeded       1250"), result.out());
    assertTrue(result.out().contains("attempts        1250"), result.out());
  }

  @Test
  void aRunThatCannotBeSubmittedExitsThree(@TempDir Path dir) throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.json"), "[1]");
    Result result = run("", "run", ok.toString(), "--api", "http://127.0.0.1:1", "--json");
    assertEquals(3, result.exit(), result.err());
    assertTrue(result.err().contains("could not submit"), result.err());
  }

  @Test
  void theCliRetriesWithItsIdempotencyKeySoOneRunIsCreated(@TempDir Path dir) throws Exception {
    Faults faults = new Faults();
    java.util.concurrent.atomic.AtomicInteger denied =
        new java.util.concurrent.atomic.AtomicInteger();
    // The first submission fails inside AWS: the client is told to retry with the same key.
    faults.deny =
        r ->
            r instanceof software.amazon.awssdk.services.dynamodb.model.PutItemRequest put
                && put.item().get("sk").s().equals("RUN")
                && denied.getAndIncrement() == 0;
    try (LocalRuntime local =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(java.time.Duration.ZERO)
                .interceptor(faults.sdk())
                .build())) {
      Path items = Files.writeString(dir.resolve("items.json"), "[1,2,3,4,5]");
      Result result =
          run("", "run", items.toString(), "--api", local.apiEndpoint().toString(), "--json");
      assertEquals(0, result.exit(), result.err());
      JsonNode run = Json.parse(result.out().strip());
      assertEquals("SUCCEEDED", run.get("status").asText());
      assertTrue(run.hasNonNull("idempotencyKey"), run.toString());
      assertTrue(denied.get() >= 2, "the first submission was refused and retried");
      JsonNode runs = new ApiClient(local.apiEndpoint()).get("/runs").body().get("runs");
      assertEquals(1, runs.size(), runs.toString());
    }
  }
}
