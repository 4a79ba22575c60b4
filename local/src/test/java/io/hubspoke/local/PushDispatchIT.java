package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.core.model.PushEvent;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code "dispatch":"push"} end to end: the hub invokes the spoke through the local Lambda endpoint
 * with the real {@code LambdaClient} ({@code Event} invocations of ten tasks each), the spoke
 * claims and commits each task as it does a queue message, a retry's backoff travels through the
 * work queue, {@code maxConcurrency} holds, and invocations lost on the way are found by the sweep,
 * without which the run never ends.
 */
class PushDispatchIT {
  static final FlakyWorker flaky = new FlakyWorker();
  static final RequestCounter requests = new RequestCounter();

  /** Event invocations still to drop (the fault seam), and the tasks the dropped ones carried. */
  static final AtomicInteger dropsLeft = new AtomicInteger();

  static final Set<Integer> droppedTasks = ConcurrentHashMap.newKeySet();

  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .maximumConcurrency(4)
                // The sweep runs when a test calls it, and finds a task overdue soon.
                .sweepInterval(Duration.ZERO)
                .stallMargin(Duration.ofSeconds(1))
                .workers(
                    new WorkerRegistry(
                        List.of(new EchoWorker(), new SleepWorker(), flaky), List.of()))
                .interceptor(requests)
                .eventSourceInterceptor(requests)
                .eventRetryDelays(List.of(Duration.ofMillis(100), Duration.ofMillis(200)))
                .pushInterceptor(PushDispatchIT::dropSome)
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  private static final Pattern TASKS = Pattern.compile("\"tasks\":\\[([0-9,]*)]");

  static LocalLambdaEndpoint.EventInterceptor.Fate dropSome(String function, byte[] payload) {
    if (dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
      return LocalLambdaEndpoint.EventInterceptor.Fate.ACCEPT;
    }
    Matcher tasks = TASKS.matcher(new String(payload, StandardCharsets.UTF_8));
    if (tasks.find()) {
      for (String task : tasks.group(1).split(",")) {
        droppedTasks.add(Integer.parseInt(task));
      }
    }
    return LocalLambdaEndpoint.EventInterceptor.Fate.DROP;
  }

  static String submit(String request) throws Exception {
    ApiClient.Reply reply = api.postRun(request);
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static LocalLambdaEndpoint.EventStats pushes() {
    return runtime.lambda().eventStats(LocalRuntime.SPOKE_FUNCTION_NAME);
  }

  @Test
  void aPushRunOfHundredsOfTasksWithRetriesEndsWithExactCounts() throws Exception {
    LocalLambdaEndpoint.EventStats before = pushes();
    String runId =
        submit(
            "{\"items\":"
                + CancelIT.items(300)
                + ",\"worker\":\"flaky\",\"workerConfig\":{\"key\":\"big\"},\"dispatch\":\"push\","
                + "\"retry\":{\"initialDelaySeconds\":1,\"jitter\":0}}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals("push", run.get("dispatch").asText(), run.toString());
    JsonNode summary = run.get("summary");
    assertEquals(300, summary.get("succeeded").asInt(), run.toString());
    assertEquals(0, summary.get("failed").asInt(), run.toString());
    // Every seventh item fails its first attempt: 43 retries, each through a delayed message.
    assertEquals(300 + 43, summary.get("attempts").asInt(), run.toString());
    for (int item = 0; item < 300; item++) {
      assertEquals(
          item % 7 == 0 ? 2 : 1,
          flaky.attemptsOf("big", item),
          "item " + item + " ran once, or twice if it failed once");
    }
    LocalLambdaEndpoint.EventStats after = pushes();
    assertEquals(
        30, after.accepted() - before.accepted(), "300 tasks, ten per invocation: " + after);
    assertEquals(0, after.sentOnFailure() - before.sentOnFailure(), after.toString());
  }

  @Test
  void aCappedPushRunNeverRunsMoreThanItsCap() throws Exception {
    String runId =
        submit(
            "{\"items\":"
                + CancelIT.items(40)
                + ",\"worker\":\"flaky\",\"workerConfig\":{\"key\":\"capped\",\"ms\":50,"
                + "\"healthy\":true},\"dispatch\":\"push\",\"maxConcurrency\":3}");
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(40, run.get("summary").get("succeeded").asInt(), run.toString());
    int most = CapIT.maxOverlap(attemptsOf(runId, 40));
    assertTrue(most <= 3, "at most 3 at once: " + most);
    assertTrue(flaky.mostAtOnce("capped") <= 3, "the worker saw " + flaky.mostAtOnce("capped"));
  }

  static List<CapIT.Interval> attemptsOf(String runId, int tasks) throws Exception {
    List<CapIT.Interval> intervals = new java.util.ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      for (JsonNode attempt : api.get("/runs/" + runId + "/tasks/" + i).body().get("attempts")) {
        intervals.add(
            new CapIT.Interval(
                i,
                Instant.parse(attempt.get("startedAt").asText()),
                Instant.parse(attempt.get("endedAt").asText())));
      }
    }
    return intervals;
  }

  /**
   * The fault seam "lost async invocation": Lambda accepted the event (202) and never ran it. No
   * message and no invocation is left for those tasks, so without the sweep the run never ends; the
   * sweep finds them overdue and pushes them again, and the run ends exact, each task run once.
   */
  @Test
  void lostInvocationsAreFoundByTheSweepAndTheRunEndsExactly() throws Exception {
    droppedTasks.clear();
    dropsLeft.set(3);
    String runId =
        submit(
            "{\"items\":"
                + CancelIT.items(100)
                + ",\"worker\":\"flaky\",\"workerConfig\":{\"key\":\"lossy\",\"healthy\":true},"
                + "\"dispatch\":\"push\"}");
    Await.until(
        Duration.ofMinutes(1),
        () -> droppedTasks.size() == 30 && flaky.tasksRun("lossy") == 70,
        () -> "dropped " + droppedTasks + ", ran " + flaky.tasksRun("lossy"));
    // Without the sweep nothing is left to bring the dropped tasks: no invocation pending, no
    // message anywhere in the work queue, the tasks PENDING.
    Await.until(
        Duration.ofSeconds(30),
        () -> pushes().pending() == 0 && workQueueEmpty(),
        () -> "invocations or messages pending: " + pushes());
    Map<String, Long> statuses = statuses(runId);
    assertEquals(Map.of("PENDING", 30L, "SUCCEEDED", 70L), statuses);
    assertEquals("RUNNING", api.get("/runs/" + runId).body().get("status").asText());
    for (int task : droppedTasks) {
      assertEquals(0, flaky.attemptsOf("lossy", task), "dropped task " + task + " never ran");
    }

    // The sweep, once they are overdue (a stall margin after they were written).
    Await.until(
        Duration.ofMinutes(1),
        () -> {
          sweep();
          return "SUCCEEDED".equals(statusOf(runId));
        },
        () -> "the sweep never brought the run to its end: " + statuses(runId));
    JsonNode run = api.get("/runs/" + runId).body();
    assertEquals(100, run.get("summary").get("succeeded").asInt(), run.toString());
    for (int item = 0; item < 100; item++) {
      assertEquals(1, flaky.attemptsOf("lossy", item), "item " + item + " ran exactly once");
    }
  }

  static Map<String, Long> statuses(String runId) {
    Map<String, Long> counts = new TreeMap<>();
    DurableSubmissionIT.taskItems(runtime, runId)
        .values()
        .forEach(item -> counts.merge(item.get("status").s(), 1L, Long::sum));
    return counts;
  }

  /**
   * A push invocation whose tasks cannot be recorded (the table refuses the spoke's writes) fails,
   * so Lambda retries it twice and then sends Lambda's record to the on-failure destination, the
   * work DLQ; the tasks stayed PENDING, and the sweep pushes them again once the table is back.
   */
  @Test
  void aPushWhoseTasksCannotBeRecordedIsRetriedThenDeadLetteredAndTheSweepEndsTheRun()
      throws Exception {
    LocalLambdaEndpoint.EventStats before = pushes();
    requests.denySpokeWrites = true;
    String runId;
    JsonNode record;
    try {
      runId =
          submit(
              "{\"items\":"
                  + CancelIT.items(10)
                  + ",\"worker\":\"flaky\",\"workerConfig\":{\"key\":\"denied\",\"healthy\":true},"
                  + "\"dispatch\":\"push\"}");
      String id = runId;
      JsonNode[] found = new JsonNode[1];
      Await.until(
          Duration.ofSeconds(30),
          () -> (found[0] = deadLetteredPushOf(id)) != null,
          () -> "no on-failure record: " + pushes());
      record = found[0];
    } finally {
      requests.denySpokeWrites = false;
    }
    assertEquals("RetriesExhausted", record.at("/requestContext/condition").asText());
    assertEquals(3, record.at("/requestContext/approximateInvokeCount").asInt());
    assertEquals(
        IntStream.range(0, 10).boxed().toList(),
        PushEvent.parse(record.get("requestPayload")).tasks());
    assertEquals(
        "io.hubspoke.core.service.TaskExecutionService$TasksToRetryException",
        record.at("/responsePayload/errorType").asText(),
        record.toString());
    LocalLambdaEndpoint.EventStats after = pushes();
    assertEquals(2, after.retries() - before.retries(), after.toString());
    assertEquals(1, after.sentOnFailure() - before.sentOnFailure(), after.toString());
    assertEquals(Map.of("PENDING", 10L), statuses(runId));
    assertEquals(0, flaky.tasksRun("denied"), "no claim succeeded, no task ran");

    Await.until(
        Duration.ofMinutes(1),
        () -> {
          sweep();
          return "SUCCEEDED".equals(statusOf(runId));
        },
        () -> "the sweep never brought the run to its end: " + statuses(runId));
    for (int item = 0; item < 10; item++) {
      assertEquals(1, flaky.attemptsOf("denied", item), "item " + item + " ran exactly once");
    }
  }

  /** The work DLQ's on-failure record of a push of run {@code runId}, if one arrived. */
  static JsonNode deadLetteredPushOf(String runId) {
    for (var message :
        runtime
            .clients()
            .sqs()
            .receiveMessage(
                b ->
                    b.queueUrl(runtime.queues().deadLetterQueueUrl())
                        .maxNumberOfMessages(10)
                        // Hidden a while once seen, so the next look sees the others.
                        .visibilityTimeout(2))
            .messages()) {
      try {
        JsonNode body = Json.parse(message.body());
        if (runId.equals(body.at("/requestPayload/hubspokePush/runId").asText())) {
          return body;
        }
      } catch (java.io.IOException e) {
        // Another test's dead letter.
      }
    }
    return null;
  }

  /**
   * The spoke with a push event as Lambda hands it over (the fixture), invoked through the local
   * endpoint as the hub invokes it: tasks of an unknown run are kept in the DLQ with the reason;
   * tasks already terminal are only counted again, never run twice.
   */
  @Test
  void theSpokeTakesThePushEventFixture() throws Exception {
    JsonNode fixture = fixture("hubspoke-push.json");
    assertEquals(
        new PushEvent("r-0123456789abcdef01234567", "0123456789ab", List.of(3, 4, 5)),
        PushEvent.parse(fixture));
    try (LambdaClient lambda = lambdaClient()) {
      InvokeResponse unknown = invokeSpoke(lambda, Json.write(fixture));
      assertEquals(null, unknown.functionError(), unknown.payload().asUtf8String());
      assertEquals(Json.parse("{\"tasks\":3}"), Json.parse(unknown.payload().asUtf8String()));

      String runId =
          submit(
              "{\"items\":"
                  + CancelIT.items(6)
                  + ",\"worker\":\"flaky\",\"workerConfig\":{\"key\":\"fixture\",\"healthy\":true},"
                  + "\"dispatch\":\"push\"}");
      assertEquals(
          "SUCCEEDED", api.awaitFinished(runId, Duration.ofMinutes(1)).get("status").asText());
      com.fasterxml.jackson.databind.node.ObjectNode again = fixture.deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) again.get("hubspokePush"))
          .put("runId", runId)
          .remove("inc");
      InvokeResponse repeat = invokeSpoke(lambda, Json.write(again));
      assertEquals(null, repeat.functionError(), repeat.payload().asUtf8String());
      for (int item = 0; item < 6; item++) {
        assertEquals(1, flaky.attemptsOf("fixture", item), "item " + item + " ran once");
      }
      assertEquals("SUCCEEDED", statusOf(runId));
    }
  }

  static JsonNode fixture(String name) throws java.io.IOException {
    try (var in = PushDispatchIT.class.getResourceAsStream("/lambda-events/" + name)) {
      return Json.parse(in);
    }
  }

  static LambdaClient lambdaClient() {
    return LambdaClient.builder()
        .endpointOverride(runtime.lambda().endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static InvokeResponse invokeSpoke(LambdaClient lambda, String event) {
    return lambda.invoke(
        b ->
            b.functionName(runtime.environment().required(HubspokeEnvironment.SPOKE_FUNCTION))
                .payload(SdkBytes.fromUtf8String(event)));
  }

  static void sweep() {
    try {
      runtime.sweep();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String statusOf(String runId) {
    try {
      return api.get("/runs/" + runId).body().get("status").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static boolean workQueueEmpty() {
    Map<QueueAttributeName, String> attributes =
        runtime
            .clients()
            .sqs()
            .getQueueAttributes(
                b -> b.queueUrl(runtime.queues().queueUrl()).attributeNames(QueueAttributeName.ALL))
            .attributes();
    return List.of(
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)
        .stream()
        .allMatch(a -> "0".equals(attributes.getOrDefault(a, "0")));
  }

  /**
   * What push costs against queue, and how long each takes, for the same run (printed, never
   * asserted: a 2-core machine shared with other work).
   */
  @Test
  void measuresPushAgainstQueue() throws Exception {
    int tasks = 500;
    for (String dispatch : List.of("queue", "push", "queue", "push")) {
      requests.reset();
      long started = System.nanoTime();
      String runId =
          submit(
              "{\"items\":"
                  + CancelIT.items(tasks)
                  + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":50},\"dispatch\":\""
                  + dispatch
                  + "\"}");
      JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(5));
      double seconds = (System.nanoTime() - started) / 1e9;
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      assertEquals(tasks, run.get("summary").get("succeeded").asInt());
      Map<String, Long> counts = requests.snapshot();
      long total = counts.values().stream().mapToLong(Long::longValue).sum();
      System.out.printf(
          "dispatch=%s tasks=%d makespanSeconds=%.2f wallClockMs=%d requestsPerTask=%.2f"
              + " invokesPerTask=%.3f dynamoDbWritesPerTask=%.2f sqsRequestsPerTask=%.2f %s%n",
          dispatch,
          tasks,
          seconds,
          run.get("summary").get("wallClockMs").asLong(),
          total / (double) tasks,
          counts.getOrDefault("Lambda.Invoke", 0L) / (double) tasks,
          counts.entrySet().stream()
                  .filter(e -> RequestCounter.DYNAMODB_WRITES.contains(e.getKey()))
                  .mapToLong(Map.Entry::getValue)
                  .sum()
              / (double) tasks,
          counts.entrySet().stream()
                  .filter(e -> e.getKey().startsWith("Sqs."))
                  .mapToLong(Map.Entry::getValue)
                  .sum()
              / (double) tasks,
          new TreeMap<>(counts));
    }
  }

  /** Requests by service and operation, from every function client and the poller. */
  static final class RequestCounter implements ExecutionInterceptor {
    static final Set<String> DYNAMODB_WRITES =
        new TreeSet<>(
            List.of(
                "DynamoDb.PutItem",
                "DynamoDb.UpdateItem",
                "DynamoDb.DeleteItem",
                "DynamoDb.BatchWriteItem",
                "DynamoDb.TransactWriteItems"));

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** While set, the spoke's UpdateItem calls (claims, commits) are refused: AccessDenied. */
    volatile boolean denySpokeWrites;

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (denySpokeWrites
          && Thread.currentThread().getName().startsWith("hubspoke-task")
          && "UpdateItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
        throw AwsServiceException.builder()
            .statusCode(400)
            .message("injected: access denied")
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode("AccessDeniedException")
                    .errorMessage("injected: access denied")
                    .build())
            .build();
      }
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      String key =
          attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)
              + "."
              + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    void reset() {
      counts.clear();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> copy = new TreeMap<>();
      counts.forEach((k, v) -> copy.put(k, (long) v.get()));
      return copy;
    }
  }

  /**
   * Fails the first attempt of every seventh item retryably unless its config says {@code healthy};
   * counts attempts per key and item and the most running at once per key.
   */
  static final class FlakyWorker implements TaskWorker {
    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public List<FieldError> validateConfig(JsonNode config) {
      return List.of();
    }

    @Override
    public TaskOutcome execute(TaskContext context) throws InterruptedException {
      String key = context.config().path("key").asText();
      int item = context.item().asInt();
      attempts.computeIfAbsent(key + "/" + item, k -> new AtomicInteger()).incrementAndGet();
      AtomicInteger now = running.computeIfAbsent(key, k -> new AtomicInteger());
      int atOnce = now.incrementAndGet();
      most.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(atOnce, Math::max);
      try {
        long ms = context.config().path("ms").asLong(0);
        if (ms > 0) {
          Thread.sleep(ms); // the duration of the user's work, not a wait for a condition
        }
      } finally {
        now.decrementAndGet();
      }
      if (!context.config().path("healthy").asBoolean(false)
          && item % 7 == 0
          && context.attempt() == 1) {
        return TaskOutcome.retryable("Flaky", "item " + item + " fails its first attempt");
      }
      return TaskOutcome.success(Json.object().put("item", item));
    }

    int attemptsOf(String key, int item) {
      AtomicInteger count = attempts.get(key + "/" + item);
      return count == null ? 0 : count.get();
    }

    int tasksRun(String key) {
      return (int) attempts.keySet().stream().filter(k -> k.startsWith(key + "/")).count();
    }

    int mostAtOnce(String key) {
      AtomicInteger count = most.get(key);
      return count == null ? 0 : count.get();
    }
  }
}
