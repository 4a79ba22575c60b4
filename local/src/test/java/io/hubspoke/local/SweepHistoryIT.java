package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The sweep's work grows with the runs that are open, not with history, and fits its invocation:
 * with hundreds of finished runs and a few open ones it reads only the open ones, and a sweep out
 * of time stops early and leaves the rest to the next, which continues where it stopped.
 */
class SweepHistoryIT {
  static final int FINISHED = 250;
  static final int OPEN = 3;

  /** What the functions read: index items (before any filter) and run records, one by one. */
  static final class Reads implements ExecutionInterceptor {
    final AtomicInteger indexItems = new AtomicInteger();
    final List<String> runsRead = new CopyOnWriteArrayList<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof QueryRequest query
          && query.indexName() != null
          && context.response() instanceof QueryResponse page) {
        indexItems.addAndGet(page.scannedCount());
      }
      if (context.request() instanceof GetItemRequest get
          && get.key().get("sk").s().equals("RUN")) {
        runsRead.add(get.key().get("pk").s().substring("RUN#".length()));
      }
    }

    void reset() {
      indexItems.set(0);
      runsRead.clear();
    }
  }

  static final Reads reads = new Reads();
  static final RecordingWorker worker = new RecordingWorker();
  static final CountDownLatch releaseOpenRuns = new CountDownLatch(1);
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    // The open runs' only task holds on until the end, so they stay open and quiet.
    worker.behaviour =
        c -> {
          try {
            releaseOpenRuns.await(2, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return RecordingWorker.succeed(c);
        };
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO) // the test sweeps
                .spokeTimeout(Duration.ofMinutes(5))
                .stallMargin(Duration.ofSeconds(2))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker)))
                .interceptor(reads)
                .build());
    api = new ApiClient(runtime.apiEndpoint());
    history();
  }

  @AfterAll
  static void stop() {
    releaseOpenRuns.countDown();
    if (runtime != null) {
      runtime.close();
    }
  }

  static String post(String body) {
    try {
      ApiClient.Reply reply = api.postRun(body);
      assertEquals(202, reply.status(), reply.body().toString());
      return reply.body().get("runId").asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode sweep(Duration timeout) throws Exception {
    reads.reset();
    return Json.parse(runtime.sweep(timeout));
  }

  /** The open runs, oldest first. */
  static final List<String> open = new ArrayList<>();

  /** Hundreds of finished runs, then a few that stay open. */
  static void history() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<CompletableFuture<String>> finished = new ArrayList<>();
    try {
      for (int i = 0; i < FINISHED; i++) {
        finished.add(
            CompletableFuture.supplyAsync(
                () -> post("{\"items\":[1],\"worker\":\"echo\"}"), clients));
      }
      for (CompletableFuture<String> run : finished) {
        String runId = run.get(2, TimeUnit.MINUTES);
        assertEquals(
            "SUCCEEDED",
            api.awaitFinished(runId, Duration.ofMinutes(2)).get("status").asText(),
            runId);
      }
    } finally {
      clients.shutdownNow();
    }
    for (int i = 0; i < OPEN; i++) {
      open.add(post("{\"items\":[1],\"worker\":\"record\",\"taskTimeoutSeconds\":120}"));
    }
    Await.until(
        Duration.ofSeconds(60),
        () -> worker.executions.size() == OPEN,
        () -> "the open runs' tasks did not start: " + worker.executions);
    // Every finished run has published RunCompleted: only the open ones are left to sweep.
    Await.until(
        Duration.ofSeconds(60),
        () -> {
          try {
            return sweep(Duration.ofMinutes(5)).path("runsExamined").asInt() == OPEN;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        () -> "the finished runs were still being swept");
  }

  @Test
  void theSweepReadsOnlyTheOpenRuns() throws Exception {
    JsonNode full = sweep(Duration.ofMinutes(5));
    System.out.println(
        "sweep among "
            + (FINISHED + OPEN)
            + " runs: "
            + reads.indexItems.get()
            + " index items read; "
            + full);
    assertTrue(
        reads.indexItems.get() <= OPEN,
        "the sweep read "
            + reads.indexItems.get()
            + " index items to find "
            + OPEN
            + " open runs among "
            + (FINISHED + OPEN));
    assertEquals(OPEN, full.path("runsExamined").asInt(), full.toString());
    assertEquals(OPEN, full.path("openRuns").asInt(), full.toString());
    assertEquals(0, full.path("runsLeft").asInt(), full.toString());
  }

  @Test
  void aSweepOutOfTimeStopsEarlyAndTheNextContinuesWhereItStopped() throws Exception {
    // Out of time before it starts: each sweep examines one run, and the next one continues with
    // the next run, newest first, then round again.
    List<String> examined = new ArrayList<>();
    for (int i = 0; i < OPEN + 1; i++) {
      JsonNode report = sweep(Duration.ofMillis(1));
      assertEquals(1, report.path("runsExamined").asInt(), report.toString());
      assertEquals(OPEN - 1, report.path("runsLeft").asInt(), report.toString());
      assertEquals(1, reads.runsRead.size(), "runs read: " + reads.runsRead);
      examined.add(reads.runsRead.get(0));
    }
    assertEquals(
        List.of(open.get(2), open.get(1), open.get(0), open.get(2)),
        examined,
        "open runs, oldest first: " + open);
  }
}
