package io.hubspoke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scenario {@code modes}: the same workload through each dispatch mode (queue, push, pull,
 * hybrid), each in a fresh local runtime, at the same number of tasks at once (ten per spoke
 * invocation, or per pull worker), and side by side: time from submit to each task's start,
 * makespan against the ideal, requests and cost per task, empty polls, lost claims, and a run whose
 * workers are down for its first seconds (where its work waits, and how long it takes after they
 * come back).
 *
 * <p>The pull workers are in-process Java threads speaking the HTTP API as the reference Python
 * worker does (claims of up to ten tasks with long polling, one result per task); each API request
 * is an invocation of the hub, billed here for the time the client waited (an upper bound: a long
 * poll bills the hub for its wait).
 */
final class ModesBench {
  /** Tasks one spoke invocation (or one pull worker) runs at once. */
  static final int PER_INVOCATION = 10;

  private final BenchConfig config;
  private final RepoFiles repo;

  ModesBench(BenchConfig config, RepoFiles repo) {
    this.config = config;
    this.repo = repo;
  }

  ObjectNode run() throws Exception {
    Prices prices = Prices.read(repo.costModel());
    // Two spokes at least: the SQS event source mapping's least maximum concurrency.
    int c =
        Math.max(2 * PER_INVOCATION, config.modesConcurrency() / PER_INVOCATION * PER_INVOCATION);
    ObjectNode report = Json.object();
    report.put("tasks", config.modesTasks());
    report.put("sleepMs", config.modesSleepMs());
    report.put("concurrency", c);
    report.put("outageSeconds", config.modesOutageSeconds());
    report.put(
        "idealSeconds",
        Bench.round(
            Math.ceil((double) config.modesTasks() / c) * config.modesSleepMs() / 1000.0, 2));
    ArrayNode modes = report.putArray("modes");
    for (Dispatch mode : Dispatch.values()) {
      modes.add(mode(mode, c, prices));
    }
    return report;
  }

  /** The workers-down switch every mode's seam reads. */
  static final class Outage
      implements SqsEventSourcePoller.InvocationInterceptor, LocalLambdaEndpoint.EventInterceptor {
    volatile boolean down;

    @Override
    public Decision beforeInvoke(com.amazonaws.services.lambda.runtime.events.SQSEvent event) {
      // The environment dies before the handler runs: the batch comes back after its visibility.
      return down ? Decision.CRASH_BEFORE : Decision.INVOKE;
    }

    @Override
    public Fate fate(String functionName, byte[] payload) {
      return down ? Fate.FAIL : Fate.ACCEPT;
    }
  }

  private ObjectNode mode(Dispatch mode, int c, Prices prices) throws Exception {
    RequestCounter counter = new RequestCounter();
    Outage outage = new Outage();
    LocalOptions options =
        Bench.options()
            .maximumConcurrency(c / PER_INVOCATION)
            .batchSize(PER_INVOCATION)
            .spokeTimeout(Duration.ofSeconds(10))
            .stallMargin(Duration.ofSeconds(2))
            .interceptor(counter)
            .eventSourceInterceptor(counter)
            .pollerInterceptor(outage)
            .pushInterceptor(outage)
            .build();
    ObjectNode row = Json.object();
    row.put("mode", mode.wireName());
    try (LocalRuntime runtime = LocalRuntime.start(options)) {
      PullWorkers workers = new PullWorkers(runtime.apiEndpoint(), c / PER_INVOCATION);
      Runner runner = new Runner(runtime, mode, counter, workers, prices);
      runner.measure(config.warmupTasks(), 0, false); // class loading and JIT, not counted
      row.set("work", runner.measure(config.modesTasks(), config.modesSleepMs(), true));
      row.set("noWork", runner.measure(config.modesTasks(), 0, true));
      row.set("outage", runner.outage(outage, config.modesTasks(), config.modesSleepMs()));
    }
    return row;
  }

  /** Runs one mode's workloads in its runtime. */
  private final class Runner {
    final LocalRuntime runtime;
    final Dispatch mode;
    final RequestCounter counter;
    final PullWorkers workers;
    final Prices prices;

    Runner(
        LocalRuntime runtime,
        Dispatch mode,
        RequestCounter counter,
        PullWorkers workers,
        Prices prices) {
      this.runtime = runtime;
      this.mode = mode;
      this.counter = counter;
      this.workers = workers;
      this.prices = prices;
    }

    String request(int n, int sleepMs) {
      ObjectNode request = (ObjectNode) Json.parseTrusted(Bench.sleepRequest(n, sleepMs));
      request.put("dispatch", mode.wireName());
      return Json.write(request);
    }

    ObjectNode measure(int n, int sleepMs, boolean report) throws Exception {
      awaitQuiet();
      FunctionUsage before = FunctionUsage.of(runtime);
      workers.reset();
      counter.reset();
      Instant submitted = Instant.now();
      long t0 = System.nanoTime();
      String runId = Bench.submit(runtime, request(n, sleepMs));
      Future<?> pulling = mode == Dispatch.PULL ? workers.start(runId, sleepMs) : null;
      JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(30));
      double makespan = Bench.seconds(System.nanoTime() - t0);
      if (pulling != null) {
        pulling.get();
      }
      awaitQuiet();
      Map<String, RequestCounter.Tally> tallies = counter.snapshot();
      FunctionUsage usage =
          FunctionUsage.of(runtime)
              .minus(before)
              // Each API request of the pull workers is a hub invocation, billed as long as the
              // client waited (a long poll bills the hub for its wait).
              .plusHub(workers.requests.get(), workers.waitedMillis.get());
      if (done.path("succeeded").asInt() != n) {
        throw new IllegalStateException(mode + " run did not succeed entirely: " + done);
      }
      if (!report) {
        return null;
      }
      int c = runtime.options().maximumConcurrency() * PER_INVOCATION;
      ObjectNode r = Json.object();
      r.put("tasks", n);
      r.put("sleepMs", sleepMs);
      r.put("makespanSeconds", makespan);
      if (sleepMs > 0) {
        double ideal = Math.ceil((double) n / c) * sleepMs / 1000.0;
        r.put("ratioToIdeal", Bench.round(makespan / ideal, 2));
      }
      List<Instant[]> intervals = new ArrayList<>();
      List<Double> starts = startLatencies(runId, submitted, intervals);
      r.put("peakTasksAtOnce", peakOverlap(intervals));
      r.put("firstStartSeconds", Bench.round(starts.get(0), 3));
      r.put("startP50Seconds", Bench.round(percentile(starts, 50), 3));
      r.put("startP95Seconds", Bench.round(percentile(starts, 95), 3));
      costs(r, tallies, usage, n);
      return r;
    }

    /**
     * A run whose workers are down for its first seconds: where work waits, how long after. The
     * sweep runs every second meanwhile (on AWS: every few minutes, after a stall margin of
     * minutes), so the figures show the mechanisms' shape, not AWS's wall-clock times.
     */
    ObjectNode outage(Outage outage, int n, int sleepMs) throws Exception {
      awaitQuiet();
      int downSeconds = config.modesOutageSeconds();
      java.util.concurrent.ScheduledExecutorService clock =
          Executors.newScheduledThreadPool(
              2,
              r -> {
                Thread t = new Thread(r, "bench-outage");
                t.setDaemon(true);
                return t;
              });
      try {
        // The sweep's schedule, on its own thread: a sweep that waits on a failing spoke must
        // not hold the outage's end back.
        clock.scheduleWithFixedDelay(
            () -> {
              try {
                runtime.sweep();
              } catch (Exception e) {
                // the next one tries again
              }
            },
            1,
            1,
            java.util.concurrent.TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        outage.down = true;
        String runId = Bench.submit(runtime, request(n, sleepMs));
        Thread.sleep(Math.max(0, downSeconds * 1000L - (System.nanoTime() - t0) / 1_000_000));
        outage.down = false;
        double back = Bench.seconds(System.nanoTime() - t0);
        JsonNode atRecovery = Json.parseTrusted(runtime.invokeHub(getRun(runId)));
        Future<?> pulling = mode == Dispatch.PULL ? workers.start(runId, sleepMs) : null;
        JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(30));
        double makespan = Bench.seconds(System.nanoTime() - t0);
        if (pulling != null) {
          pulling.get();
        }
        if (done.path("succeeded").asInt() != n) {
          throw new IllegalStateException(mode + " outage run did not succeed entirely: " + done);
        }
        int c = runtime.options().maximumConcurrency() * PER_INVOCATION;
        double ideal = Math.ceil((double) n / c) * sleepMs / 1000.0;
        ObjectNode r = Json.object();
        r.put("downSeconds", downSeconds);
        r.put("waitsIn", waitsIn(mode));
        r.put("tasksWaitingWhenBack", n - succeeded(atRecovery));
        r.put("makespanSeconds", makespan);
        // Beyond the outage and the work itself: what the way back cost.
        r.put("recoverySeconds", Bench.round(makespan - back - ideal, 2));
        r.put("deadLetteredMessages", deadLettered());
        return r;
      } finally {
        outage.down = false;
        clock.shutdownNow();
        clock.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }

    private String getRun(String runId) {
      ObjectNode event = Json.object();
      event.put("version", "2.0");
      event.put("rawPath", "/runs/" + runId);
      event.putObject("requestContext").putObject("http").put("method", "GET");
      return Json.write(event);
    }

    private int succeeded(JsonNode httpAnswer) {
      return Json.parseTrusted(httpAnswer.path("body").asText("{}")).path("succeeded").asInt();
    }

    private long deadLettered() {
      try {
        return runtime
            .clients()
            .sqs()
            .getQueueAttributes(
                b ->
                    b.queueUrl(runtime.queues().deadLetterQueueUrl())
                        .attributeNamesWithStrings("ApproximateNumberOfMessages"))
            .attributesAsStrings()
            .entrySet()
            .stream()
            .mapToLong(e -> Long.parseLong(e.getValue()))
            .sum();
      } catch (RuntimeException e) {
        return -1;
      }
    }

    /** Until nothing of the last run is still going: spokes, events, the bus. */
    private void awaitQuiet() throws InterruptedException {
      runtime.spokes().awaitQuiescent(Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (runtime.lambda().eventStats(LocalRuntime.SPOKE_FUNCTION_NAME).pending() > 0
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      runtime.bus().awaitIdle(Duration.ofSeconds(30));
    }

    /** Each task's start, from its attempt as the API lists it, after the submit. */
    private List<Double> startLatencies(String runId, Instant submitted, List<Instant[]> intervals)
        throws Exception {
      List<Double> latencies = new ArrayList<>();
      String token = null;
      do {
        String path =
            "/runs/"
                + runId
                + "/tasks?limit=100"
                + (token == null ? "" : "&nextToken=" + java.net.URLEncoder.encode(token, "UTF-8"));
        JsonNode page = workers.get(path);
        for (JsonNode task : page.path("tasks")) {
          Instant started = Instant.parse(task.path("startedAt").asText());
          latencies.add(Duration.between(submitted, started).toNanos() / 1e9);
          intervals.add(new Instant[] {started, Instant.parse(task.path("finishedAt").asText())});
        }
        token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
      } while (token != null);
      Collections.sort(latencies);
      return latencies;
    }

    private void costs(
        ObjectNode r, Map<String, RequestCounter.Tally> tallies, FunctionUsage usage, int n) {
      Bill bill = Bill.of(tallies, usage, workers.requests.get(), repo, prices);
      r.put("requestsPerTask", Bench.round((double) (bill.requests() + bill.apiRequests()) / n, 2));
      r.put("awsRequestsPerTask", Bench.round((double) bill.requests() / n, 2));
      r.put("apiRequestsPerTask", Bench.round((double) bill.apiRequests() / n, 2));
      r.put("sqsRequestsPerTask", Bench.round((double) bill.sqsRequests() / n, 3));
      r.put("eventsPerTask", Bench.round((double) bill.events() / n, 3));
      r.put("dynamodbWriteUnitsPerTask", Bench.round(bill.writeUnits() / n, 2));
      r.put("dynamodbReadUnitsPerTask", Bench.round(bill.readUnits() / n, 2));
      r.put("spokeInvocationsPerTask", Bench.round((double) usage.spoke() / n, 3));
      r.put("hubInvocationsPerTask", Bench.round((double) usage.hub() / n, 3));
      r.put(
          "emptyPollsPerTask",
          Bench.round((double) (bill.emptyPolls() + workers.emptyClaims.get()) / n, 3));
      r.put("lostClaimsPerTask", Bench.round((double) bill.failedWrites() / n, 3));
      r.put("usdPerMillionTasks", Bench.round(bill.totalUsd() / n * 1e6, 2));
    }
  }

  /** The report as the seed's decision matrix: one row per figure, one column per mode. */
  static String matrix(JsonNode report) {
    JsonNode modes = report.path("modes");
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[modes.size() + 1];
    header[0] = "figure";
    for (int m = 0; m < modes.size(); m++) {
      header[m + 1] = modes.get(m).path("mode").asText();
    }
    rows.add(header);
    String[][] figures = {
      {
        "work",
        "makespanSeconds",
        "makespan, s ("
            + report.path("tasks").asInt()
            + " × "
            + report.path("sleepMs").asInt()
            + " ms)"
      },
      {"work", "ratioToIdeal", "makespan / ideal (" + report.path("idealSeconds").asText() + " s)"},
      {"work", "peakTasksAtOnce", "tasks running at once, at most"},
      {"work", "firstStartSeconds", "submit → first task start, s"},
      {"work", "startP50Seconds", "submit → task start p50, s"},
      {"work", "startP95Seconds", "submit → task start p95, s"},
      {"noWork", "makespanSeconds", "makespan, s (" + report.path("tasks").asInt() + " × 0 ms)"},
      {"noWork", "firstStartSeconds", "submit → first task start, s (0 ms)"},
      {"work", "requestsPerTask", "requests per task (AWS + API)"},
      {"noWork", "requestsPerTask", "requests per task, 0 ms"},
      {"work", "usdPerMillionTasks", "USD per million tasks"},
      {"noWork", "usdPerMillionTasks", "USD per million tasks, 0 ms"},
      {"work", "sqsRequestsPerTask", "SQS requests per task"},
      {"work", "eventsPerTask", "EventBridge events per task"},
      {"work", "apiRequestsPerTask", "HTTP API requests per task"},
      {"work", "spokeInvocationsPerTask", "spoke invocations per task"},
      {"work", "hubInvocationsPerTask", "hub invocations per task"},
      {"work", "dynamodbWriteUnitsPerTask", "DynamoDB write units per task"},
      {"work", "emptyPollsPerTask", "empty polls per task"},
      {"work", "lostClaimsPerTask", "lost or contended claims per task"},
      {
        "outage",
        "tasksWaitingWhenBack",
        "workers down " + report.path("outageSeconds").asInt() + " s: tasks waiting when back"
      },
      {"outage", "recoverySeconds", "… time lost after they are back, s"},
      {"outage", "deadLetteredMessages", "… messages dead-lettered"},
      {"outage", "waitsIn", "… where the work waits"},
    };
    for (String[] figure : figures) {
      String[] row = new String[modes.size() + 1];
      row[0] = figure[2];
      for (int m = 0; m < modes.size(); m++) {
        JsonNode value = modes.get(m).path(figure[0]).path(figure[1]);
        row[m + 1] = value.isMissingNode() || value.isNull() ? "–" : value.asText();
      }
      rows.add(row);
    }
    int[] widths = new int[header.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        // the prose of "where the work waits" is not padded for
        widths[i] = Math.max(widths[i], Math.min(row[i].length(), i == 0 ? 60 : 14));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("dispatch modes, side by side (")
        .append(report.path("concurrency").asInt())
        .append(" tasks at once in each):\n");
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format("%-" + widths[i] + "s", row[i]));
        if (i + 1 < row.length) {
          line.append("  ");
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  static String waitsIn(Dispatch mode) {
    return switch (mode) {
      case QUEUE -> "the work queue: a failed batch comes back after its visibility timeout";
      case PUSH -> "the table: refused invocations are retried, then re-pushed by the sweep";
      case PULL -> "the table's claimable index, until a worker claims";
      case HYBRID -> "the table: the sweep publishes WorkAvailable again";
    };
  }

  /** The most intervals that overlap at one instant: the tasks that ran at once, at most. */
  static int peakOverlap(List<Instant[]> intervals) {
    List<long[]> edges = new ArrayList<>();
    for (Instant[] interval : intervals) {
      edges.add(new long[] {interval[0].toEpochMilli() * 1000, 1});
      edges.add(new long[] {interval[1].toEpochMilli() * 1000, -1});
    }
    // An end before a start at the same instant: back-to-back tasks do not overlap.
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int now = 0;
    int peak = 0;
    for (long[] edge : edges) {
      now += (int) edge[1];
      peak = Math.max(peak, now);
    }
    return peak;
  }

  static double percentile(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /**
   * External workers of a pull run, in-process: each claims up to ten tasks (long polling), sleeps
   * each task's time on its own thread, posts each result, and claims again once its batch is done,
   * until the hub answers that the run hands out no more tasks.
   */
  static final class PullWorkers {
    final HttpClient http = HttpClient.newHttpClient();
    final URI api;
    final int workers;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong emptyClaims = new AtomicLong();
    final AtomicLong waitedMillis = new AtomicLong();

    PullWorkers(URI api, int workers) {
      this.api = api;
      this.workers = workers;
    }

    void reset() {
      requests.set(0);
      emptyClaims.set(0);
      waitedMillis.set(0);
    }

    /** Starts the workers on the run; the future ends when every worker has stopped. */
    Future<?> start(String runId, int sleepMs) {
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String workerId = "bench-" + w;
        running.add(pool.submit(() -> work(runId, workerId, sleepMs)));
      }
      pool.shutdown();
      return Executors.newSingleThreadExecutor()
          .submit(
              () -> {
                for (Future<?> f : running) {
                  f.get();
                }
                return null;
              });
    }

    private Void work(String runId, String workerId, int sleepMs) throws Exception {
      ExecutorService tasks = Executors.newFixedThreadPool(PER_INVOCATION);
      try {
        while (true) {
          JsonNode claims =
              post(
                  "/runs/" + runId + "/claims",
                  "{\"max\":"
                      + PER_INVOCATION
                      + ",\"waitSeconds\":2,\"workerId\":\""
                      + workerId
                      + "\"}");
          List<Future<JsonNode>> results = new ArrayList<>();
          for (JsonNode task : claims.path("tasks")) {
            results.add(
                tasks.submit(
                    () -> {
                      Thread.sleep(sleepMs);
                      return post(
                          "/runs/" + runId + "/tasks/" + task.get("taskNumber").asInt() + "/result",
                          "{\"token\":\""
                              + task.get("token").asText()
                              + "\",\"result\":{\"sleptMs\":"
                              + sleepMs
                              + "}}");
                    }));
          }
          if (results.isEmpty()) {
            emptyClaims.incrementAndGet();
          }
          for (Future<JsonNode> result : results) {
            result.get();
          }
          if (claims.path("done").asBoolean()) {
            return null;
          }
        }
      } finally {
        tasks.shutdownNow();
      }
    }

    JsonNode post(String path, String body) throws Exception {
      return send(
          HttpRequest.newBuilder(api.resolve(path))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
              .build(),
          true);
    }

    /** A read for the report: not counted with the workers' requests. */
    JsonNode get(String path) throws Exception {
      return send(HttpRequest.newBuilder(api.resolve(path)).GET().build(), false);
    }

    private JsonNode send(HttpRequest request, boolean counted) throws Exception {
      long t0 = System.nanoTime();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (counted) {
        requests.incrementAndGet();
        waitedMillis.addAndGet((System.nanoTime() - t0 + 999_999) / 1_000_000);
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            request.method()
                + " "
                + request.uri()
                + " -> "
                + response.statusCode()
                + " "
                + response.body());
      }
      return Json.parseTrusted(response.body());
    }
  }
}
