package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.chaos.InvariantChecker;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.LocalLambdaContext;
import io.hubspoke.spoke.SpokeHandler;
import io.hubspoke.testkit.Await;
import io.hubspoke.worker.TaskOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One spoke invocation with a hand-built batch: partial failures, lost claims, malformed messages.
 */
class SpokeBatchIT {
  static LocalRuntime runtime;
  static ApiClient api;
  static final Faults faults = new Faults();
  static AwsClients spokeClients;
  static SpokeHandler spoke;
  static final RecordingWorker worker = new RecordingWorker();
  static final WorkerRegistry workers =
      new WorkerRegistry(List.of(new EchoWorker(), new SleepWorker(), worker));

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .workers(workers)
                .sweepInterval(Duration.ZERO)
                .spokeWrapper(SpokeBatchIT::leavingHeldRunsToTheTest)
                .build());
    api = new ApiClient(runtime.apiEndpoint());
    spokeClients = AwsClients.fromEnvironment(runtime.environment(), List.of(faults.sdk()));
    spoke = new SpokeHandler(runtime.environment(), spokeClients, Clock.systemUTC(), workers);
  }

  @AfterAll
  static void stop() {
    spokeClients.close();
    runtime.close();
  }

  /** A run whose queued messages the runtime's own spokes drop, so that only a test handles it. */
  static volatile String heldRun = "none";

  static com.amazonaws.services.lambda.runtime.RequestHandler<SQSEvent, SQSBatchResponse>
      leavingHeldRunsToTheTest(
          com.amazonaws.services.lambda.runtime.RequestHandler<SQSEvent, SQSBatchResponse> spoke) {
    return (event, context) -> {
      List<SQSEvent.SQSMessage> others =
          event.getRecords().stream().filter(m -> !m.getBody().contains(heldRun)).toList();
      SQSEvent rest = new SQSEvent();
      rest.setRecords(others);
      return others.isEmpty()
          ? SQSBatchResponse.builder().withBatchItemFailures(List.of()).build()
          : spoke.handleRequest(rest, context);
    };
  }

  /** One invocation of the test's own spoke, with 30 s to go. */
  static SQSBatchResponse invoke(List<SQSEvent.SQSMessage> records) {
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return spoke.handleBatch(
        event,
        LocalLambdaContext.builder()
            .functionName("spoke-test")
            .timeout(Duration.ofSeconds(30))
            .build());
  }

  static SQSEvent.SQSMessage message(String id, String body) {
    SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
    m.setMessageId(id);
    m.setReceiptHandle("handle-" + id);
    m.setBody(body);
    m.setEventSource("aws:sqs");
    m.setEventSourceArn(runtime.queues().queueArn());
    m.setAwsRegion("us-east-1");
    m.setAttributes(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", "1700000000000"));
    return m;
  }

  @Test
  void aMixedBatchReportsOnlyTheMessageThatCouldNotBeHandled() throws Exception {
    String done = api.postRun("{\"items\":[1,2],\"worker\":\"echo\"}").body().get("runId").asText();
    api.awaitFinished(done, Duration.ofMinutes(1));
    String unknownRun = "r-00000000000000000000abcd";
    faults.failBefore =
        r ->
            r instanceof UpdateItemRequest u
                && u.key().get("pk").s().startsWith("RUN#" + done + "#")
                && u.key().get("sk").s().equals("T#00000001");

    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    records.add(message("duplicate-of-done", new TaskMessage(done, 0).toJson()));
    records.add(message("not-json", "this is not json"));
    records.add(message("unknown-run", new TaskMessage(unknownRun, 0).toJson()));
    records.add(message("unknown-task", new TaskMessage(done, 99).toJson()));
    records.add(message("store-fails", new TaskMessage(done, 1).toJson()));

    SQSBatchResponse response = invoke(records);

    Set<String> failed =
        response.getBatchItemFailures().stream()
            .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
            .collect(Collectors.toSet());
    assertEquals(Set.of("store-fails"), failed);

    List<Message> deadLetters = new ArrayList<>();
    Await.until(
        Duration.ofSeconds(20),
        () -> {
          deadLetters.clear();
          deadLetters.addAll(InvariantChecker.deadLetters(runtime));
          return deadLetters.size() >= 3;
        },
        () -> "dead letters: " + deadLetters);
    Set<String> reasons =
        deadLetters.stream()
            .map(m -> m.messageAttributes().get("hubspoke.reason").stringValue())
            .collect(Collectors.toSet());
    assertTrue(
        reasons.stream()
            .anyMatch(r -> r.startsWith("unparseable message: message body is not JSON")),
        reasons.toString());
    assertTrue(
        reasons.stream().anyMatch(r -> r.startsWith("unknown run " + unknownRun)),
        reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.startsWith("unknown task 99")), reasons.toString());
    assertEquals(
        3,
        deadLetters.size(),
        "the duplicate of a finished task is acknowledged, not dead-lettered");
    faults.clear();
  }

  @Test
  void theTasksABatchFinishesAreCountedWithOneWritePerShard() throws Exception {
    // A 10-task run has one shard; the runtime's own spokes drop its queued messages.
    heldRun = RunIds.fromIdempotencyKey("counted-in-one-write");
    String runId =
        api.postRun(
                "{\"items\":[0,1,2,3,4,5,6,7,8,9],\"worker\":\"echo\","
                    + "\"idempotencyKey\":\"counted-in-one-write\"}")
            .body()
            .get("runId")
            .asText();
    assertEquals(heldRun, runId);
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    List<String> counterWrites = java.util.Collections.synchronizedList(new ArrayList<>());
    faults.beforeSend =
        r -> {
          if (r instanceof UpdateItemRequest u
              && u.key().get("pk").s().startsWith("RUN#" + runId + "#")
              && u.key().get("sk").s().equals("C")) {
            counterWrites.add(u.updateExpression());
          }
        };
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(message("task-" + i, new TaskMessage(runId, i).toJson()));
    }
    SQSBatchResponse response = invoke(records);
    faults.clear();
    heldRun = "none";
    assertEquals(List.of(), response.getBatchItemFailures());
    assertEquals(1, counterWrites.size(), "counter writes: " + counterWrites);
    var run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals(10, run.get("succeeded").asInt());
    assertEquals("SUCCEEDED", run.get("status").asText());
  }

  /** Lambda's limit on threads (and processes) in one execution environment. */
  static final int LAMBDA_THREAD_LIMIT = 1024;

  @Test
  void aBatchOfMoreMessagesThanLambdaHasThreadsRunsOnABoundedNumberOfThreads() throws Exception {
    // The event source mapping accepts batches of up to 10,000 messages; 1,100 is enough to pass
    // Lambda's thread limit at one thread per message.
    int n = 1_100;
    heldRun = RunIds.fromIdempotencyKey("more-messages-than-threads");
    String items =
        java.util.stream.IntStream.range(0, n)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(",", "[", "]"));
    String runId =
        api.postRun(
                "{\"items\":"
                    + items
                    + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":300},"
                    + "\"taskTimeoutSeconds\":10,"
                    + "\"idempotencyKey\":\"more-messages-than-threads\"}")
            .body()
            .get("runId")
            .asText();
    assertEquals(heldRun, runId);
    api.awaitDispatched(runId, Duration.ofSeconds(60));
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(message("many-" + i, new TaskMessage(runId, i).toJson()));
    }
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    java.util.concurrent.CompletableFuture<SQSBatchResponse> response =
        new java.util.concurrent.CompletableFuture<>();
    Thread invocation =
        new Thread(
            () -> {
              try {
                response.complete(invoke(records));
              } catch (Throwable t) {
                response.completeExceptionally(t);
              }
            },
            "test-invocation");
    invocation.start();
    int[] peak = {0};
    Await.until(
        Duration.ofSeconds(60),
        () -> {
          peak[0] = Math.max(peak[0], spokeThreads(before));
          return response.isDone();
        },
        () -> "the batch did not finish");
    heldRun = "none";
    System.out.printf("spoke threads at once for a batch of %d: %d%n", n, peak[0]);
    assertTrue(
        peak[0] <= LAMBDA_THREAD_LIMIT / 2,
        "the spoke ran "
            + peak[0]
            + " threads at once for a batch of "
            + n
            + "; Lambda allows "
            + LAMBDA_THREAD_LIMIT
            + " per execution environment, the JVM's and the SDK's own included");
    assertEquals(List.of(), response.get().getBatchItemFailures());
    var run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals(n, run.get("succeeded").asInt());
  }

  /**
   * Live threads the spoke's pools started since {@code before}: hubspoke's own threads, less those
   * of the local runtime's functions (its poller's invocations, its hub and collector).
   */
  static int spokeThreads(Set<Thread> before) {
    Thread[] all = new Thread[Thread.activeCount() * 2 + 64];
    int count = Thread.enumerate(all);
    int spoke = 0;
    for (int i = 0; i < count; i++) {
      String name = all[i].getName();
      if (name.startsWith("hubspoke-")
          && !name.startsWith("hubspoke-spoke")
          && !name.startsWith("hubspoke-hub")
          && !name.startsWith("hubspoke-collector")
          && !name.startsWith("hubspoke-sweep")
          && !before.contains(all[i])) {
        spoke++;
      }
    }
    return spoke;
  }

  @Test
  void aResultTooLargeForTheTaskItemFailsTheTaskOnceWithTheSizeAndTheLimit() throws Exception {
    heldRun = RunIds.fromIdempotencyKey("result-too-large");
    String runId =
        api.postRun(
                "{\"items\":[1],\"worker\":\"record\",\"maxAttempts\":3,"
                    + "\"idempotencyKey\":\"result-too-large\"}")
            .body()
            .get("runId")
            .asText();
    assertEquals(heldRun, runId);
    api.awaitDispatched(runId, Duration.ofSeconds(30));
    // 500 KB of result: more than DynamoDB's 400 KB item, which also holds the task's item.
    worker.behaviour = c -> TaskOutcome.success(Json.object().put("blob", "x".repeat(500 * 1024)));
    SQSBatchResponse response;
    try {
      response = invoke(List.of(message("too-large", new TaskMessage(runId, 0).toJson())));
    } finally {
      worker.reset();
      heldRun = "none";
    }
    assertEquals(
        List.of(),
        response.getBatchItemFailures(),
        "the message was left to SQS, to be redelivered and, after maxReceiveCount, dead-lettered");
    var task = api.get("/runs/" + runId + "/tasks").body().get("tasks").get(0);
    assertEquals("FAILED", task.get("status").asText(), task.toString());
    assertEquals("ResultTooLarge", task.get("errorType").asText(), task.toString());
    String message = task.get("errorMessage").asText();
    assertTrue(
        message.contains("512,011 bytes") && message.contains("262,144 bytes"),
        "the message gives the size and the limit: " + message);
    assertEquals(
        1, task.get("attempt").asInt(), "not retried: the same work gives the same result");
    var run = api.awaitFinished(runId, Duration.ofMinutes(1));
    assertEquals("FAILED", run.get("status").asText());
    assertEquals(1, run.get("failed").asInt());
  }
}
