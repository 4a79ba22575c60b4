package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.cli.CliIT.Result;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote commands against a local runtime whose HTTP API requires SigV4 signatures (what {@code
 * hubspoke serve --require-signature} starts), signed with the SDK's signer from a profile of a
 * temporary credentials file (no real AWS): each command, the signature check refusing unsigned and
 * wrongly scoped requests, {@code --stack} through a fake of the stack's outputs, and the exit
 * codes.
 */
class RemoteCliIT {
  static final String PROFILE = "hubspoke-test";
  static LocalRuntime runtime;
  static String endpoint;
  @TempDir static Path dir;
  static final SystemProperties properties = new SystemProperties();

  @BeforeAll
  static void start() throws Exception {
    Path credentials =
        Files.writeString(
            dir.resolve("credentials"),
            "["
                + PROFILE
                + "]\naws_access_key_id = AKIDHUBSPOKETEST1\n"
                + "aws_secret_access_key = not-a-real-secret\n");
    Path config = Files.writeString(dir.resolve("config"), "");
    properties.set("aws.sharedCredentialsFile", credentials.toString());
    properties.set("aws.configFile", config.toString());
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .requireSignature(true)
                // Few tasks at once, so a slow run still has tasks waiting when it is cancelled.
                .maximumConcurrency(2)
                .batchSize(1)
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

  /** The command, signed with the test profile, against the local API. */
  static Result signed(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", endpoint, "--sign", "--profile", PROFILE));
    return CliIT.run(stdin, all.toArray(String[]::new));
  }

  static String submit(String... args) {
    List<String> all = new ArrayList<>(List.of("submit"));
    all.addAll(List.of(args));
    Result submitted = signed("", all.toArray(String[]::new));
    assertEquals(0, submitted.exit(), submitted.err());
    String runId = submitted.out().strip();
    assertTrue(runId.matches("[kr]-[0-9a-f]{24}"), submitted.out());
    return runId;
  }

  static Path items(int count) throws Exception {
    return Files.writeString(
        Files.createTempFile(dir, "items", ".json"),
        "["
            + IntStream.range(0, count).mapToObj(Integer::toString).collect(Collectors.joining(","))
            + "]");
  }

  @Test
  void submitWatchStatusListTasksAndResultsOfOneRun() throws Exception {
    String runId = submit(items(5).toString(), "--worker", "echo");

    Result watched = signed("", "watch", runId);
    assertEquals(0, watched.exit(), watched.err());
    assertTrue(watched.out().contains("status          SUCCEEDED"), watched.out());
    assertTrue(watched.out().contains("succeeded       5"), watched.out());
    assertTrue(watched.err().contains("5/5 done"), "the progress bar: " + watched.err());

    Result status = signed("", "status", runId);
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("run             " + runId), status.out());
    assertTrue(status.out().contains("tasks           5"), status.out());
    JsonNode run = Json.parse(signed("", "status", runId, "--json").out());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(5, run.at("/summary/succeeded").asInt(), run.toString());

    Result listed = signed("", "list", "--status", "SUCCEEDED", "--since", "2020-01-01");
    assertEquals(0, listed.exit(), listed.err());
    assertTrue(listed.out().lines().anyMatch(l -> l.startsWith(runId + " ")), listed.out());
    assertTrue(listed.out().contains("SUCCEEDED"), listed.out());
    Result running = signed("", "list", "--status", "RUNNING,DISPATCHING", "--json");
    assertFalse(running.out().contains(runId), running.out());

    Result tasks = signed("", "tasks", runId, "--limit", "0");
    assertEquals(0, tasks.exit(), tasks.err());
    assertEquals(6, tasks.out().lines().count(), "a header and 5 tasks: " + tasks.out());
    Result paged = signed("", "tasks", runId, "--limit", "3", "--json");
    assertEquals(3, paged.out().lines().count(), paged.out());

    Result task = signed("", "tasks", runId, "3");
    assertEquals(0, task.exit(), task.err());
    assertTrue(task.out().contains("task            " + runId + "/000003"), task.out());
    assertTrue(task.out().contains("ATTEMPT OUTCOME"), task.out());
    assertTrue(
        task.out().lines().anyMatch(l -> l.matches("1\\s+SUCCEEDED\\s+.*spoke-.*")), task.out());

    Result results = signed("", "results", runId);
    assertEquals(0, results.exit(), results.err());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : results.out().strip().split("\n")) {
      lines.add(Json.parse(line));
    }
    assertEquals(5, lines.size(), results.out());
    for (JsonNode line : lines) {
      assertTrue(line.get("taskId").asText().startsWith(runId + "/"), line.toString());
      assertTrue(line.has("item") && line.has("result"), line.toString());
    }
    assertTrue(results.err().contains("5 SUCCEEDED tasks"), results.err());
    assertEquals("", signed("", "results", runId, "--status", "FAILED").out());
  }

  @Test
  void submitWithWatchFollowsTheRunAndExitsByItsStatus(@TempDir Path files) throws Exception {
    Path request =
        Files.writeString(
            files.resolve("request.json"),
            "{\"items\":[1,2,3],\"worker\":\"http\",\"workerConfig\":"
                + "{\"url\":\"http://127.0.0.1:1/none\",\"timeoutMs\":200},\"maxAttempts\":1}");
    Result failed = signed("", "submit", "--request", request.toString(), "--watch");
    assertEquals(1, failed.exit(), failed.err());
    assertTrue(failed.out().contains("failed          3"), failed.out());

    Result json =
        signed("", "submit", "--source", "{\"type\":\"range\",\"end\":4}", "--watch", "--json");
    assertEquals(0, json.exit(), json.err());
    JsonNode run = Json.parse(json.out().strip());
    assertEquals(4, run.at("/summary/succeeded").asInt(), run.toString());

    // The same idempotency key names the same run: submit prints its id again.
    String first = submit(items(2).toString(), "--idempotency-key", "remote-cli-once");
    assertEquals(first, submit(items(2).toString(), "--idempotency-key", "remote-cli-once"));
    Result conflict =
        signed("", "submit", items(3).toString(), "--idempotency-key", "remote-cli-once");
    assertEquals(2, conflict.exit(), conflict.err());
    assertTrue(conflict.err().contains("409"), conflict.err());
  }

  @Test
  void cancelStopsARunAndACancelOfAnEndedRunSaysSo() throws Exception {
    String runId =
        submit(items(20).toString(), "--worker", "sleep", "--worker-config", "{\"ms\":1000}");
    Result cancelled = signed("", "cancel", runId, "--watch");
    assertEquals(1, cancelled.exit(), "a CANCELLED run exits 1: " + cancelled.err());
    assertTrue(cancelled.err().contains("is cancelled: no task starts any more"), cancelled.err());
    assertTrue(cancelled.out().contains("status          CANCELLED"), cancelled.out());
    JsonNode run = Json.parse(signed("", "status", runId, "--json").out());
    assertTrue(run.at("/summary/cancelled").asInt() > 0, "tasks never started: " + run);

    Result again = signed("", "cancel", runId);
    assertEquals(2, again.exit(), again.err());
    assertTrue(again.err().contains("has already ended, nothing is left to cancel"), again.err());
  }

  @Test
  void anUnsignedRequestIsRefusedWithTheFix() {
    Result unsigned = CliIT.run("", "list", "--endpoint", endpoint);
    assertEquals(2, unsigned.exit(), unsigned.err());
    assertTrue(unsigned.err().contains("403: Missing Authentication Token"), unsigned.err());
    assertTrue(unsigned.err().contains("give --sign"), unsigned.err());
  }

  @Test
  void aSignatureScopedToAnotherRegionIsRefused() {
    Result wrong = signed("", "list", "--region", "eu-west-1");
    assertEquals(2, wrong.exit(), wrong.err());
    assertTrue(wrong.err().contains("'eu-west-1' is not this API's region"), wrong.err());
    assertTrue(wrong.err().contains("does not accept this signature"), wrong.err());
  }

  /** Without --profile, the standard chain signs (here its first link: the system properties). */
  @Test
  void theDefaultCredentialChainSigns() {
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", "AKIDHUBSPOKECHAIN");
    System.setProperty("aws.secretAccessKey", "not-a-real-secret");
    try {
      Result listed = CliIT.run("", "list", "--endpoint", endpoint, "--sign");
      assertEquals(0, listed.exit(), listed.err());
      assertTrue(listed.out().startsWith("RUN "), listed.out());
    } finally {
      restore("aws.accessKeyId", id);
      restore("aws.secretAccessKey", secret);
    }
  }

  static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  @Test
  void anUnknownProfileIsAUsageError() {
    Result result =
        CliIT.run("", "list", "--endpoint", endpoint, "--sign", "--profile", "no-such-profile");
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("no AWS credentials to sign the request with"), result.err());
    assertTrue(result.err().contains("--profile"), result.err());
  }

  /** --stack reads the stack's ApiUrl output (here from a fake of DescribeStacks) and signs. */
  @Test
  void aStackIsFoundByItsApiUrlOutput() throws Exception {
    RemoteOptions.StackOutputsFactory real = RemoteOptions.stackOutputs;
    List<String> asked = new ArrayList<>();
    RemoteOptions.stackOutputs =
        (region, credentials) ->
            stack -> {
              asked.add(stack + "@" + region);
              return stack.equals("Hubspoke")
                  ? Map.of("ApiUrl", endpoint + "/", "TableName", "t")
                  : Map.of("TableName", "t");
            };
    try {
      String runId = submit(items(1).toString());
      Result status =
          CliIT.run(
              "",
              "status",
              runId,
              "--stack",
              "Hubspoke",
              "--region",
              "us-east-1",
              "--profile",
              PROFILE);
      assertEquals(0, status.exit(), status.err());
      assertTrue(status.out().contains(runId), status.out());
      assertEquals(List.of("Hubspoke@us-east-1"), asked);

      Result notHubspoke =
          CliIT.run("", "list", "--stack", "Other", "--region", "us-east-1", "--profile", PROFILE);
      assertEquals(2, notHubspoke.exit(), notHubspoke.err());
      assertTrue(notHubspoke.err().contains("stack Other has no ApiUrl output"), notHubspoke.err());
    } finally {
      RemoteOptions.stackOutputs = real;
    }
  }

  @Test
  void anUnknownRunOrTaskIsAUsageErrorNamingIt() throws Exception {
    String unknown = "r-000000000000000000000000";
    for (String command : List.of("status", "watch", "tasks", "results", "cancel")) {
      Result result = signed("", command, unknown);
      assertEquals(2, result.exit(), command + ": " + result.err());
      assertTrue(result.err().contains("no run " + unknown + " at " + endpoint), result.err());
      assertTrue(result.err().contains("`hubspoke list`"), result.err());
    }
    Result malformed = signed("", "status", "not-a-run");
    assertEquals(2, malformed.exit(), malformed.err());
    assertTrue(malformed.err().contains("RUN_ID:"), malformed.err());

    String runId = submit(items(1).toString());
    Result watched = signed("", "watch", runId, "--json");
    assertEquals(0, watched.exit(), watched.err());
    Result noTask = signed("", "tasks", runId, "7");
    assertEquals(2, noTask.exit(), noTask.err());
    assertTrue(noTask.err().contains("has no task 7 (yet)"), noTask.err());
    Result badStatus = signed("", "list", "--status", "DONE");
    assertEquals(2, badStatus.exit(), badStatus.err());
    assertTrue(badStatus.err().contains("--status:"), badStatus.err());
    Result badSince = signed("", "list", "--since", "later");
    assertEquals(2, badSince.exit(), badSince.err());
    assertTrue(badSince.err().contains("--since:"), badSince.err());
  }

  @Test
  void anUnreachableApiExitsThree() {
    Result result =
        CliIT.run("", "status", "r-000000000000000000000000", "--endpoint", "http://127.0.0.1:1");
    assertEquals(3, result.exit(), result.err());
    assertTrue(result.err().contains("is unreachable"), result.err());
  }

  @Test
  void helpAndVersionAreCommands() {
    Result help = CliIT.run("", "help");
    assertEquals(0, help.exit(), help.err());
    for (String command :
        List.of(
            "run", "serve", "submit", "status", "list", "tasks", "results", "cancel", "redrive",
            "watch", "help", "version")) {
      assertTrue(help.out().contains("  " + command + " "), command + " in: " + help.out());
    }
    Result submitHelp = CliIT.run("", "help", "submit");
    assertEquals(0, submitHelp.exit(), submitHelp.err());
    assertTrue(submitHelp.out().contains("Usage: hubspoke submit"), submitHelp.out());
    assertTrue(submitHelp.out().contains("--endpoint=URL"), submitHelp.out());
    assertTrue(submitHelp.out().contains("--stack=NAME"), submitHelp.out());
    Result unknown = CliIT.run("", "help", "launch");
    assertEquals(2, unknown.exit(), unknown.out() + unknown.err());

    Result version = CliIT.run("", "version");
    assertEquals(0, version.exit(), version.err());
    assertEquals("hubspoke 0.1.0", version.out().strip());
    assertEquals(version.out(), CliIT.run("", "--version").out());
  }

  /** redrive against the hub's POST /runs/{runId}/redrive: a round, its refusals, exit codes. */
  @Test
  void redriveRunsAFinishedRunsFailedTasksAgainUnderTheSameId() throws Exception {
    Path request =
        Files.writeString(
            Files.createTempFile(dir, "failing", ".json"),
            "{\"items\":[1,2,3],\"worker\":\"http\",\"workerConfig\":"
                + "{\"url\":\"http://127.0.0.1:1/none\",\"timeoutMs\":200},\"maxAttempts\":1}");
    String runId = submit("--request", request.toString());
    assertEquals(1, signed("", "watch", runId).exit());

    Result redriven = signed("", "redrive", runId, "--watch");
    assertEquals(1, redriven.exit(), "the tasks fail again: " + redriven.err());
    assertTrue(
        redriven.err().contains("run " + runId + " is redriven: round 1, 3 CANCELLED/FAILED"),
        redriven.err());
    assertTrue(redriven.out().contains("failed          3"), redriven.out());
    JsonNode run = Json.parse(signed("", "status", runId, "--json").out());
    assertEquals(1, run.get("round").asInt(), run.toString());
    assertEquals(3, run.at("/summary/failed").asInt(), run.toString());

    Result again = signed("", "redrive", runId, "--statuses", "FAILED", "--json");
    assertEquals(0, again.exit(), again.err());
    assertEquals(2, Json.parse(again.out()).at("/redrive/round").asInt(), again.out());
    assertEquals(1, signed("", "watch", runId).exit());

    Result nothing = signed("", "redrive", runId, "--statuses", "CANCELLED");
    assertEquals(2, nothing.exit(), nothing.err());
    assertTrue(nothing.err().contains("cannot be redriven (NothingToRedrive"), nothing.err());
    Result badStatus = signed("", "redrive", runId, "--statuses", "SUCCEEDED");
    assertEquals(2, badStatus.exit(), badStatus.err());
    assertTrue(badStatus.err().contains("--statuses"), badStatus.err());

    String slow =
        submit(items(20).toString(), "--worker", "sleep", "--worker-config", "{\"ms\":1000}");
    Result running = signed("", "redrive", slow);
    assertEquals(2, running.exit(), running.err());
    assertTrue(running.err().contains("cannot be redriven (RunNotFinished"), running.err());
    assertEquals(0, signed("", "cancel", slow).exit());

    Result unknown = signed("", "redrive", "r-000000000000000000000000");
    assertEquals(2, unknown.exit(), unknown.err());
    assertTrue(unknown.err().contains("no run r-000000000000000000000000"), unknown.err());
  }
}
