package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.cli.CliIT.Result;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference pull worker, {@code examples/worker-python/pull_worker.py} (Python's standard
 * library only), against a local API that requires SigV4 signatures (what {@code hubspoke serve
 * --require-signature} starts): two worker processes, signing their requests, claim every task of a
 * pull run submitted with the CLI, run the same function the Lambda worker runs ({@code
 * handler.py}) and record its results; the run ends with exact counts, each task's result the
 * function's. A worker killed while it holds tasks loses them to the other when their leases end.
 */
class PullWorkerIT {
  static final SystemProperties properties = new SystemProperties();
  static LocalRuntime runtime;
  static String endpoint;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    Path credentials =
        Files.writeString(
            dir.resolve("credentials"),
            "["
                + RemoteCliIT.PROFILE
                + "]\naws_access_key_id = AKIDHUBSPOKETEST1\n"
                + "aws_secret_access_key = not-a-real-secret\n");
    properties.set("aws.sharedCredentialsFile", credentials.toString());
    properties.set("aws.configFile", Files.writeString(dir.resolve("config"), "").toString());
    Files.writeString(
        dir.resolve("slow_handler.py"),
        "import time\n\ndef handler(event, context):\n    time.sleep(30)\n    return {}\n");
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .requireSignature(true)
                .sweepInterval(Duration.ofSeconds(1))
                .stallMargin(Duration.ofSeconds(1))
                .build());
    endpoint = runtime.apiEndpoint().toString();
  }

  @AfterAll
  static void stop() {
    properties.restore();
    if (runtime != null) {
      runtime.close();
    }
  }

  static Result signed(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", endpoint, "--sign", "--profile", RemoteCliIT.PROFILE));
    return CliIT.run("", all.toArray(String[]::new));
  }

  /** A pull run of {@code texts} texts and {@code bad} items the function refuses for good. */
  static String submitPull(int texts, int bad, int maxAttempts) throws IOException {
    ObjectNode request = Json.object();
    ArrayNode items = request.putArray("items");
    for (int i = 0; i < texts; i++) {
      items.add("text number " + i + " of the pull run, with some words repeated words");
    }
    for (int i = 0; i < bad; i++) {
      items.add(i); // not a text: InvalidItemNonRetryable
    }
    request.put("dispatch", "pull");
    request.put("worker", "wordcount");
    request.put("maxAttempts", maxAttempts);
    Path file = Files.createTempFile(dir, "pull", ".json");
    Files.writeString(file, Json.write(request));
    Result submitted = signed("submit", "--request", file.toString());
    assertEquals(0, submitted.exit(), submitted.err());
    return submitted.out().strip();
  }

  static Process worker(String runId, String workerId, String... extra) throws IOException {
    Path script = CliIT.examples().resolve("worker-python/pull_worker.py").toAbsolutePath();
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                script.toString(),
                "--api",
                endpoint,
                "--run",
                runId,
                "--worker-id",
                workerId,
                "--region",
                "us-east-1"));
    command.addAll(List.of(extra));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("AWS_ACCESS_KEY_ID", "AKIDHUBSPOKETEST1");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "not-a-real-secret");
    builder.environment().put("AWS_SESSION_TOKEN", "a-session-token");
    builder.environment().put("PYTHONPATH", dir.toString()); // slow_handler.py
    builder.redirectError(dir.resolve(workerId + ".err").toFile());
    return builder.start();
  }

  /** The worker's last line: its counts; it must have exited 0 once the run handed out no more. */
  static JsonNode finished(Process process, String workerId) throws Exception {
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), workerId + " did not stop");
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = Files.readString(dir.resolve(workerId + ".err"));
    assertEquals(0, process.exitValue(), workerId + ": " + out + err);
    String[] lines = out.strip().split("\n");
    return Json.parse(lines[lines.length - 1]);
  }

  static JsonNode status(String runId) throws Exception {
    Result status = signed("status", runId, "--json");
    assertEquals(0, status.exit(), status.err());
    return Json.parse(status.out());
  }

  @Test
  void twoSigningWorkersRunEveryTaskOfAPullRunWithExactCounts() throws Exception {
    String runId = submitPull(40, 3, 3);
    Process first = worker(runId, "py-1", "--concurrency", "3", "--wait", "2");
    Process second = worker(runId, "py-2", "--concurrency", "3", "--wait", "2");
    JsonNode one = finished(first, "py-1");
    JsonNode two = finished(second, "py-2");
    assertEquals(40, one.get("SUCCEEDED").asInt() + two.get("SUCCEEDED").asInt(), one + " " + two);
    assertEquals(3, one.get("FAILED").asInt() + two.get("FAILED").asInt(), one + " " + two);
    assertEquals(0, one.get("lost").asInt() + two.get("lost").asInt());
    JsonNode run = status(runId);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertEquals(40, run.get("succeeded").asInt());
    assertEquals(3, run.get("failed").asInt());
    Result results = signed("results", runId);
    assertEquals(0, results.exit(), results.err());
    int checked = 0;
    for (String line : results.out().strip().split("\n")) {
      JsonNode task = Json.parse(line);
      // What handler.py computes for this item: 12 words, the function's own task id.
      assertEquals(12, task.path("result").path("words").asInt(), line);
      assertEquals(task.get("taskId").asText(), task.path("result").path("taskId").asText());
      checked++;
    }
    assertEquals(40, checked);
    Result failed = signed("results", runId, "--status", "FAILED");
    assertTrue(failed.out().contains("InvalidItemNonRetryable"), failed.out() + failed.err());
  }

  @Test
  void aWorkerKilledHoldingTasksLosesThemToAnotherWhenTheirLeasesEnd() throws Exception {
    String runId = submitPull(6, 0, 3);
    // Claims 3 tasks leased for 2 s, each taking 30 s (a handler that sleeps): killed meanwhile.
    Process doomed =
        worker(
            runId,
            "doomed",
            "--concurrency",
            "3",
            "--lease",
            "2",
            "--handler",
            "slow_handler:handler");
    awaitRunning(runId, 3);
    doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Process rescuer = worker(runId, "rescuer", "--concurrency", "2", "--wait", "2");
    JsonNode counts = finished(rescuer, "rescuer");
    assertEquals(6, counts.get("SUCCEEDED").asInt(), counts.toString());
    JsonNode run = status(runId);
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(6, run.get("succeeded").asInt());
    // The killed worker's 3 tasks took a second attempt each, from the rescuer's claims.
    assertEquals(9, run.at("/summary/attempts").asInt(), run.toString());
    assertEquals(3, run.at("/summary/retriedTasks").asInt(), run.toString());
  }

  /** Until {@code running} tasks of the run are RUNNING (one line of JSON each). */
  static void awaitRunning(String runId, int running) {
    Await.until(
        Duration.ofSeconds(30),
        () ->
            signed("tasks", runId, "--status", "RUNNING", "--json")
                    .out()
                    .lines()
                    .filter(line -> line.startsWith("{"))
                    .count()
                >= running,
        () -> "no " + running + " tasks of " + runId + " running");
  }
}
