package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.service.RunDiscovery;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.LocalFunction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --worker lambda} with {@code --function}: the Python example run by the CLI through the
 * local Lambda endpoint, as README "Write your own worker" shows it; and {@code --source} of type
 * {@code lambda}: the Python lister discovering a run's items through the same endpoint.
 */
class LambdaCliIT {
  static final String HANDLER =
      CliIT.examples().resolve("worker-python/handler.py").toAbsolutePath().toString();
  static final String LISTER =
      CliIT.examples().resolve("worker-python/lister.py").toAbsolutePath().toString();

  @Test
  void runsThePythonExampleAsALocalFunction() throws Exception {
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            CliIT.examples().resolve("worker-python/texts.json").toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"wordcount\"}",
            "--function",
            "wordcount=python3 " + HANDLER,
            "--json");
    assertEquals(0, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(5, run.get("summary").get("succeeded").asInt());
    assertEquals(5, run.get("summary").get("attempts").asInt());
  }

  @Test
  void anItemTheFunctionMarksNonRetryableFailsAtOnce(@TempDir Path dir) throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[\"a b\", {\"text\":\"c\"}, 42]");
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            items.toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"wordcount:live\"}",
            "--function",
            "wordcount:live=python3 " + HANDLER);
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.out().contains("InvalidItemNonRetryable"), result.out());
    assertTrue(result.out().contains("failed          1"), result.out());
    assertTrue(result.out().contains("attempts        3"), result.out());
  }

  @Test
  void aFunctionNotGivenIsAUsageErrorNamingTheFieldAndTheFix(@TempDir Path dir) throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[1]");
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            items.toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"resize\"}");
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("workerConfig.function"), result.err());
    assertTrue(result.err().contains("--function NAME=COMMAND"), result.err());

    CliIT.Result badSpec = CliIT.run("", "run", items.toString(), "--function", "resize", "--json");
    assertEquals(2, badSpec.exit(), badSpec.err());
    assertTrue(badSpec.err().contains("NAME=COMMAND"), badSpec.err());
  }

  /** With --api the running hub decides which functions are allowed, not this command. */
  @Test
  void submittingToARunningApiLeavesTheAllowedFunctionsToItsHub(@TempDir Path dir)
      throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[\"one two\"]");
    try (LocalRuntime serve =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                .function(
                    LocalFunction.builder(
                            "wordcount", FunctionCode.command(List.of("python3", HANDLER)))
                        .build())
                .build())) {
      CliIT.Result result =
          CliIT.run(
              "",
              "run",
              items.toString(),
              "--api",
              serve.apiEndpoint().toString(),
              "--worker",
              "lambda",
              "--worker-config",
              "{\"function\":\"wordcount\"}",
              "--json");
      assertEquals(0, result.exit(), result.err());
      CliIT.Result refused =
          CliIT.run(
              "",
              "run",
              items.toString(),
              "--api",
              serve.apiEndpoint().toString(),
              "--worker",
              "lambda",
              "--worker-config",
              "{\"function\":\"other\"}",
              "--json");
      assertEquals(2, refused.exit(), refused.err());
      assertTrue(refused.err().contains("workerConfig.function"), refused.err());
    }
  }

  private static LocalFunction lister() {
    return LocalFunction.builder("lister", FunctionCode.command(List.of("python3", LISTER)))
        .build();
  }

  private static String listerSource(String function, Path file, int pageSize) {
    return Json.write(
        Json.object()
            .put("type", "lambda")
            .put("function", function)
            .set("config", Json.object().put("path", file.toString()).put("pageSize", pageSize)));
  }

  /** A text file of {@code count} lines "line-0"…, every 25th of them (3, 28, …) blank. */
  private static List<String> writeLines(Path file, int count) throws Exception {
    List<String> lines =
        IntStream.range(0, count).mapToObj(i -> i % 25 == 3 ? "  " : "line-" + i).toList();
    Files.writeString(file, String.join("\n", lines) + "\n");
    return lines;
  }

  /** Every task of the run, in the order the API lists them (by index), page after page. */
  static List<JsonNode> allTasks(ApiClient api, String runId) throws Exception {
    List<JsonNode> tasks = new ArrayList<>();
    String next = null;
    do {
      JsonNode page =
          api.get(
                  "/runs/"
                      + runId
                      + "/tasks?limit=100"
                      + (next == null
                          ? ""
                          : "&nextToken=" + URLEncoder.encode(next, StandardCharsets.UTF_8)))
              .body();
      page.get("tasks").forEach(tasks::add);
      next = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
    } while (next != null);
    return tasks;
  }

  /**
   * The lister pages a file's non-blank lines; the hub makes task i of the i-th, exactly once. The
   * command is given no --function: with --api the running API's hub decides which source functions
   * it allows (and refuses one it does not host, 400 naming source.function).
   */
  @Test
  void thePythonListerDiscoversTheItemsEachOneTaskInOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("lines.txt");
    List<String> items = writeLines(file, 250).stream().filter(line -> !line.isBlank()).toList();
    assertEquals(240, items.size());
    try (LocalRuntime serve =
        LocalRuntime.start(
            LocalOptions.builder().sweepInterval(Duration.ZERO).function(lister()).build())) {
      CliIT.Result result =
          CliIT.run(
              "",
              "run",
              "--source",
              listerSource("lister", file, 100),
              "--api",
              serve.apiEndpoint().toString(),
              "--json");
      assertEquals(0, result.exit(), result.err());
      JsonNode run = Json.parse(result.out().strip());
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      JsonNode summary = run.get("summary");
      assertEquals(240, summary.get("total").asInt(), run.toString());
      assertEquals(240, summary.get("succeeded").asInt(), run.toString());
      assertEquals(240, summary.get("attempts").asInt(), "each task ran once: " + run);
      assertEquals(3, summary.at("/discovery/pages").asInt(), "pages of 100, 100, 40: " + run);
      assertEquals(240, summary.at("/discovery/items").asInt(), run.toString());
      assertTrue(run.at("/discovery/ended").asBoolean(), run.toString());

      List<JsonNode> tasks =
          new ArrayList<>(allTasks(new ApiClient(serve.apiEndpoint()), run.get("runId").asText()));
      tasks.sort(Comparator.comparingInt(task -> task.get("index").asInt()));
      assertEquals(240, tasks.size());
      for (int i = 0; i < tasks.size(); i++) {
        JsonNode task = tasks.get(i);
        String text = items.get(i);
        JsonNode expected =
            Json.object()
                .put("line", Integer.parseInt(text.substring("line-".length())) + 1)
                .put("text", text);
        assertEquals(i, task.get("index").asInt(), task.toString());
        assertEquals(expected, task.get("item"), "task " + i + " is the " + i + "-th line");
        assertEquals(expected, task.get("result"), task.toString());
      }

      CliIT.Result refused =
          CliIT.run(
              "",
              "run",
              "--source",
              listerSource("other", file, 100),
              "--api",
              serve.apiEndpoint().toString(),
              "--json");
      assertEquals(2, refused.exit(), refused.err());
      assertTrue(refused.err().contains("source.function"), refused.err());
      assertTrue(refused.err().contains("'other' is not a function"), refused.err());
    }
  }

  /** README's demo: the lister gives the wordcount worker the texts of texts.json, 2 a page. */
  @Test
  void theListerFeedsThePythonWordcountWorker() throws Exception {
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            "--source",
            listerSource("lister", CliIT.examples().resolve("worker-python/texts.json"), 2),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"wordcount\"}",
            "--function",
            "lister=python3 " + LISTER,
            "--function",
            "wordcount=python3 " + HANDLER);
    assertEquals(0, result.exit(), result.err() + result.out());
    assertTrue(result.err().contains("items discovered from {\"type\":\"lambda\""), result.err());
    assertTrue(result.out().contains("discovery       3 pages, 5 items"), result.out());
    assertTrue(result.out().contains("tasks           5"), result.out());
    assertTrue(result.out().contains("succeeded       5"), result.out());
    assertTrue(result.out().contains("attempts        5"), result.out());
  }

  /**
   * Page 2 holds a line that is not UTF-8: the lister raises BadFileNonRetryable, so discovery ends
   * at once (not after 10 attempts, a dispatch visibility timeout apart), and the run fails once
   * the first page's tasks are done.
   */
  @Test
  void aPageTheListerCannotReadFailsTheRunAfterThePagesBefore(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 150; i++) {
      lines.add("line-" + i);
    }
    byte[] head =
        (String.join("\n", lines.subList(0, 129)) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] tail =
        ("\n" + String.join("\n", lines.subList(130, 150))).getBytes(StandardCharsets.UTF_8);
    try (var out = Files.newOutputStream(file)) {
      out.write(head);
      out.write(new byte[] {'l', 'i', 'n', 'e', (byte) 0xff}); // line 130
      out.write(tail);
    }
    try (LocalRuntime serve =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                // A page asked again comes back soon, and as often as discovery asks for it: a
                // lost non-retryable marker shows as 10 attempts in about a minute, not as a test
                // that hangs (by default the message is dead-lettered after 8 receives and only
                // the sweep would send it again).
                .hubTimeout(Duration.ofSeconds(5))
                .dispatchLeaseMargin(Duration.ofSeconds(1))
                .dispatchVisibilityTimeout(Duration.ofSeconds(6))
                .maxReceiveCount(RunDiscovery.MAX_PAGE_ATTEMPTS + 2)
                .function(lister())
                .build())) {
      CliIT.Result result =
          CliIT.run(
              "",
              "run",
              "--source",
              listerSource("lister", file, 100),
              "--api",
              serve.apiEndpoint().toString(),
              "--json");
      assertEquals(1, result.exit(), result.err());
      JsonNode run = Json.parse(result.out().strip());
      assertEquals("FAILED", run.get("status").asText(), run.toString());
      JsonNode summary = run.get("summary");
      String reason = summary.get("reason").asText();
      assertTrue(
          reason.startsWith("discovery failed: source function lister: BadFileNonRetryable: "),
          reason);
      assertTrue(reason.contains("line 130 is not UTF-8"), reason);
      assertEquals(100, summary.get("total").asInt(), "the first page's tasks: " + run);
      assertEquals(100, summary.get("succeeded").asInt(), run.toString());
      assertEquals(0, summary.get("failed").asInt(), run.toString());
      assertEquals(1, summary.at("/discovery/pages").asInt(), run.toString());
      assertTrue(summary.at("/discovery/error").asText().contains("line 130"), run.toString());
    }
  }

  @Test
  void aSourceFunctionNotGivenIsAUsageErrorNamingSourceFunction() {
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            "--source",
            "{\"type\":\"lambda\",\"function\":\"lister\",\"config\":{\"path\":\"x.txt\"}}",
            "--function",
            "wordcount=python3 " + HANDLER);
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("source.function"), result.err());
    assertTrue(result.err().contains("'lister' is not a function"), result.err());
    assertTrue(result.err().contains("--function NAME=COMMAND"), result.err());
  }
}
