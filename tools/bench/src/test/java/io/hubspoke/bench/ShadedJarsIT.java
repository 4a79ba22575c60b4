package io.hubspoke.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.LocalFunction;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The functions' Lambda jars themselves, not the reactor's classes: each handler runs from its
 * shaded jar, unpacked as Lambda unpacks it, in a fresh JVM ({@link FunctionProbe}, as {@code bench
 * init} runs them), against the local engines and the local Lambda Invoke endpoint. Two runs of the
 * {@code lambda} worker go the whole way through the jars: the hub accepts them (DynamoDB, SQS,
 * EventBridge) and dispatches their chunks; the spoke claims each task, invokes the function
 * through the SDK's {@code LambdaClient} as the shade filters left it (a result, a function error,
 * Lambda's ResourceNotFoundException) and commits; the collector summarizes; the hub's API reads
 * the outcome. A filter that drops a class one of these paths needs fails here.
 */
class ShadedJarsIT {
  /** Echoes the event it is given as its result, or fails with a non-retryable error. */
  static final String ECHO_SCRIPT =
      "event=$(cat); case \"$event\" in *'\"item\":\"refuse\"'*)"
          + " printf '%s' '{\"errorType\":\"RefusedNonRetryable\",\"errorMessage\":\"refused\"}';"
          + " exit 1;; esac; printf '{\"echoed\":%s}' \"$event\"";

  @TempDir static Path work;
  static Bench.Engines engines;
  static LocalLambdaEndpoint lambda;
  static RepoFiles repo;
  static final Map<String, Path> code = new HashMap<>();
  static Path probe;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    repo = RepoFiles.locate();
    probe = Bench.probeClasses(work.resolve("probe"));
    for (String f : List.of("hub", "spoke", "collector")) {
      code.put(f, Bench.explode(repo.lambdaJar(f), work.resolve("task-" + f)));
    }
    engines = new Bench.Engines();
    lambda =
        LocalLambdaEndpoint.builder()
            .region("us-east-1")
            .function(
                LocalFunction.builder(
                        "echo", FunctionCode.command(List.of("sh", "-c", ECHO_SCRIPT)))
                    .build())
            .start();
    env = Bench.childEnvironment(engines.environment);
    env.put(HubspokeEnvironment.ENDPOINT_LAMBDA, lambda.endpoint().toString());
    // "absent" is allowed but hosted nowhere: Lambda answers 404 ResourceNotFoundException.
    env.put(HubspokeEnvironment.WORKER_FUNCTIONS, "echo,absent");
  }

  @AfterAll
  static void stop() {
    if (lambda != null) {
      lambda.close();
    }
    if (engines != null) {
      engines.close();
    }
  }

  @Test
  void eachJarIsWithinTheBenchTarget() throws Exception {
    for (String f : List.of("hub", "spoke", "collector")) {
      long bytes = Files.size(repo.lambdaJar(f));
      assertTrue(
          bytes <= Scenarios.MAX_JAR_MB * 1_000_000L,
          f + ": " + bytes + " bytes, more than " + Scenarios.MAX_JAR_MB + " MB");
    }
  }

  @Test
  void runsOfTheLambdaWorkerGoTheWholeWayThroughTheJars() throws Exception {
    String echoed =
        submit(
            "{\"items\":[\"hello\",\"refuse\"],\"worker\":\"lambda\","
                + "\"workerConfig\":{\"function\":\"echo\"}}");
    String missing =
        submit(
            "{\"items\":[\"x\"],\"worker\":\"lambda\","
                + "\"workerConfig\":{\"function\":\"absent\"}}");

    // The hub dispatches both runs' chunks in one invocation, as the dispatch queue's mapping
    // would deliver them.
    List<Message> chunks =
        receive(engines.dispatchQueues.queueUrl(), 2, "the chunks' dispatch messages");
    JsonNode dispatched = invoke("hub", sqsEvent(chunks));
    assertEquals(0, dispatched.get("batchItemFailures").size(), dispatched.toString());

    // The spoke takes the three tasks in one batch and invokes the functions.
    List<Message> tasks =
        receive(
            engines.environment.required(HubspokeEnvironment.QUEUE_URL), 3, "the task messages");
    StringBuilder bodies = new StringBuilder();
    tasks.forEach(m -> bodies.append(m.body()).append('\n'));
    JsonNode spoke = invoke("spoke", bodies.toString());
    assertEquals(0, spoke.get("batchItemFailures").asInt(), spoke.toString());

    // What each task came to, before anything waits on it: a class the jar lacks shows here as
    // the task's error (the spoke retries a worker that throws, so the run would not drain).
    Map<Integer, JsonNode> echoedTasks = tasks(echoed);
    assertEquals("SUCCEEDED", echoedTasks.get(0).get("status").asText(), echoedTasks.toString());
    JsonNode result = echoedTasks.get(0).get("result").get("echoed");
    assertEquals("hello", result.get("item").asText(), echoedTasks.toString());
    assertEquals(echoed, result.get("runId").asText());
    assertEquals("FAILED", echoedTasks.get(1).get("status").asText(), echoedTasks.toString());
    assertEquals("RefusedNonRetryable", echoedTasks.get(1).get("errorType").asText());
    assertEquals(1, echoedTasks.get(1).get("attempt").asInt(), "not retried: " + echoedTasks);
    Map<Integer, JsonNode> missingTasks = tasks(missing);
    assertEquals("FAILED", missingTasks.get(0).get("status").asText(), missingTasks.toString());
    assertEquals("FunctionNotFound", missingTasks.get(0).get("errorType").asText());
    assertEquals(2, lambda.stats("echo").invocations(), "one invocation per task of the run");

    for (String runId : List.of(echoed, missing)) {
      JsonNode collected = invoke("collector", Scenarios.runDrainedEvent(runId));
      assertEquals("SUMMARIZED", collected.get("outcome").asText(), collected.toString());
    }
    JsonNode run = get("/runs/" + echoed);
    assertEquals("FAILED", run.get("status").asText(), run.toString());
    assertEquals(1, run.get("summary").get("succeeded").asInt(), run.toString());
    assertEquals(Map.of("RefusedNonRetryable", 1), failuresByError(run));
    JsonNode notFound = get("/runs/" + missing);
    assertEquals("FAILED", notFound.get("status").asText(), notFound.toString());
    assertEquals(0, notFound.get("summary").get("succeeded").asInt(), notFound.toString());
    assertEquals(Map.of("FunctionNotFound", 1), failuresByError(notFound));
  }

  /** A run's tasks by index, read through the hub's API (one page: these runs are small). */
  static Map<Integer, JsonNode> tasks(String runId) throws Exception {
    Map<Integer, JsonNode> tasks = new TreeMap<>();
    get("/runs/" + runId + "/tasks")
        .get("tasks")
        .forEach(t -> tasks.put(t.get("index").asInt(), t));
    return tasks;
  }

  /** A direct invocation of the hub with a run request; returns the run's id. */
  static String submit(String request) throws Exception {
    JsonNode run = invoke("hub", request);
    assertTrue(run.path("created").asBoolean(), "the hub did not create the run: " + run);
    return run.get("runId").asText();
  }

  /** {@code GET path} through the hub's HTTP API (payload format 2.0); returns the body. */
  static JsonNode get(String path) throws Exception {
    ObjectNode event = Json.object();
    event.put("version", "2.0");
    event.put("routeKey", "$default");
    event.put("rawPath", path);
    event.put("rawQueryString", "");
    event.putObject("headers");
    ObjectNode context = event.putObject("requestContext");
    context.put("requestId", UUID.randomUUID().toString());
    context.putObject("http").put("method", "GET").put("path", path);
    event.put("isBase64Encoded", false);
    JsonNode response = invoke("hub", Json.write(event));
    assertEquals(200, response.get("statusCode").asInt(), response.toString());
    return Json.parse(response.get("body").asText());
  }

  /** Runs {@code function} from its unpacked jar in a fresh JVM with {@code event}. */
  static JsonNode invoke(String function, String event) throws Exception {
    Path eventFile = Files.createTempFile(work, function, ".json");
    Files.writeString(eventFile, event);
    Bench.ChildResult result =
        Bench.runProbe(
            code.get(function),
            probe,
            env,
            Duration.ofMinutes(2),
            "init",
            Scenarios.HANDLERS.get(function),
            eventFile.toString(),
            "60000");
    assertEquals(1, result.lines().size(), function + " printed: " + result);
    return Json.parse(result.lines().get(0).get("response").asText());
  }

  static String sqsEvent(List<Message> messages) {
    ObjectNode event = Json.object();
    ArrayNode records = event.putArray("Records");
    for (Message m : messages) {
      records
          .addObject()
          .put("messageId", m.messageId())
          .put("receiptHandle", m.receiptHandle())
          .put("body", m.body())
          .put("eventSource", "aws:sqs")
          .put("awsRegion", "us-east-1");
    }
    return Json.write(event);
  }

  /** Long-polls {@code queueUrl} until {@code count} messages came, for at most a minute. */
  static List<Message> receive(String queueUrl, int count, String what) {
    List<Message> received = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (received.size() < count && System.nanoTime() < deadline) {
      received.addAll(
          engines
              .admin
              .sqs()
              .receiveMessage(
                  b ->
                      b.queueUrl(queueUrl)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(1)
                          .visibilityTimeout(300))
              .messages());
    }
    assertEquals(count, received.size(), what);
    return received;
  }

  static Map<String, Integer> failuresByError(JsonNode run) {
    Map<String, Integer> failures = new TreeMap<>();
    run.get("summary")
        .get("failuresByError")
        .forEach(
            f -> failures.merge(f.get("errorType").asText(), f.get("count").asInt(), Integer::sum));
    return failures;
  }
}
