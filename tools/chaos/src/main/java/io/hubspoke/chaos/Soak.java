package io.hubspoke.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.HttpWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A randomized soak: one run of N tasks through the local runtime with every kind of fault injected
 * at rates drawn from the seed, then faults stopped, the run awaited, and the invariants checked.
 */
public final class Soak {
  /**
   * Faults per event at the middle of their range; the seed scales each by 0.5–1.5. Task-path
   * faults stop when nine tenths of the run is done; event faults go on until it is summarized.
   */
  static final Map<FaultKind, Double> BASE_RATES = baseRates();

  static final int MAX_ATTEMPTS = 5;
  static final int TASK_TIMEOUT_SECONDS = 1;
  static final Duration SPOKE_TIMEOUT = Duration.ofSeconds(4);
  static final Duration LEASE_GRACE = Duration.ofSeconds(1);
  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(2);
  static final Duration STALL_MARGIN = Duration.ofSeconds(2);
  static final Duration SUMMARY_LEASE = Duration.ofSeconds(5);

  /** Tasks per second the runtime still completes here when loaded, for the I6 bound. */
  static final int MIN_TASKS_PER_SECOND = 20;

  /**
   * @param discover whether the run discovers its items (a {@code range} source of {@code tasks}
   *     numbers, under the same faults) instead of listing them
   */
  public record Options(int tasks, long seed, Duration timeout, boolean discover) {
    public Options(int tasks, long seed, Duration timeout) {
      this(tasks, seed, timeout, false);
    }
  }

  public record Result(
      Options options,
      Map<FaultKind, Double> rates,
      Map<FaultKind, Long> faults,
      InvariantChecker.Report report,
      Duration duration,
      Optional<Duration> drainAfterFaults,
      Duration bound,
      int submitAttempts,
      Map<String, String> timeline) {

    public ObjectNode toJson() {
      ObjectNode json = Json.object();
      json.put("tasks", options.tasks());
      json.put("seed", options.seed());
      json.put("discover", options.discover());
      json.put("runId", report.runId());
      ObjectNode injected = json.putObject("faultsInjected");
      faults.forEach((kind, count) -> injected.put(kind.name(), count));
      json.put("faultsInjectedTotal", faults.values().stream().mapToLong(Long::longValue).sum());
      json.put("submitAttempts", submitAttempts);
      json.put("succeeded", report.succeeded());
      json.put("failed", report.failed());
      json.put("lost", report.lost());
      json.put("doubleCommitted", report.doubleCommitted());
      json.put("summaryExact", report.summaryExact());
      json.put("deadLetteredTasks", report.deadLettered());
      json.put("durationSeconds", duration.toMillis() / 1000.0);
      drainAfterFaults.ifPresent(d -> json.put("drainAfterFaultsSeconds", d.toMillis() / 1000.0));
      json.put("drainBoundSeconds", bound.toMillis() / 1000.0);
      ObjectNode times = json.putObject("timeline");
      timeline.forEach(times::put);
      json.put("invariantsHold", report.ok());
      ArrayNode violations = json.putArray("violations");
      report.violations().stream().limit(50).forEach(v -> violations.add(v.toString()));
      return json;
    }
  }

  private Soak() {}

  static Map<FaultKind, Double> baseRates() {
    Map<FaultKind, Double> rates = new EnumMap<>(FaultKind.class);
    rates.put(FaultKind.THROTTLE, 0.03);
    rates.put(FaultKind.SERVICE_ERROR, 0.01);
    rates.put(FaultKind.LATENCY, 0.05);
    rates.put(FaultKind.LOST_RESPONSE, 0.01);
    rates.put(FaultKind.PARTIAL_BATCH, 0.05);
    rates.put(FaultKind.HUB_CRASH, 0.03);
    rates.put(FaultKind.DUPLICATE_DELIVERY, 0.03);
    rates.put(FaultKind.CRASH_BEFORE_HANDLER, 0.01);
    rates.put(FaultKind.CRASH_AFTER_HANDLER, 0.01);
    // A run has one routed event (RunDrained): high rates so that a soak meets each fault.
    rates.put(FaultKind.EVENT_DUPLICATE, 0.5);
    rates.put(FaultKind.EVENT_DROP, 0.4);
    rates.put(FaultKind.EVENT_FAIL, 0.4);
    rates.put(FaultKind.WORKER_HANG, 0.003);
    rates.put(FaultKind.WORKER_CRASH, 0.01);
    rates.put(FaultKind.WORKER_FLAKY, 0.03);
    rates.put(FaultKind.POISON_MESSAGE, 0.005);
    rates.put(FaultKind.CONCURRENT_DUPLICATE_DELIVERY, 0.02);
    return rates;
  }

  /** The rates this seed uses: each base rate scaled by a factor in [0.5, 1.5) drawn from it. */
  public static Map<FaultKind, Double> ratesFor(long seed) {
    Random random = new Random(seed);
    Map<FaultKind, Double> rates = new EnumMap<>(FaultKind.class);
    for (FaultKind kind : FaultKind.values()) {
      rates.put(kind, BASE_RATES.getOrDefault(kind, 0.0) * (0.5 + random.nextDouble()));
    }
    return rates;
  }

  public static Result run(Options options, Consumer<String> progress) throws Exception {
    Map<FaultKind, Double> rates = ratesFor(options.seed());
    FaultInjector faults = new FaultInjector(options.seed(), rates);
    Journal journal = new Journal();
    WorkerRegistry workers =
        new WorkerRegistry(
            List.of(
                new EchoWorker(),
                new SleepWorker(),
                new HttpWorker(),
                new ChaosWorker(faults, journal)));
    LocalOptions localOptions =
        LocalOptions.builder()
            .spokeTimeout(SPOKE_TIMEOUT)
            // A hub that dies dispatching a chunk: its lease ends 2 s after its 10 s deadline and
            // the chunk's message returns after 15 s (on AWS: 30 s after, and 6 x the hub timeout).
            .hubTimeout(Duration.ofSeconds(10))
            .dispatchLeaseMargin(Duration.ofSeconds(2))
            .dispatchVisibilityTimeout(Duration.ofSeconds(15))
            .leaseGrace(LEASE_GRACE)
            .summaryLease(SUMMARY_LEASE)
            .sweepInterval(SWEEP_INTERVAL)
            .stallMargin(STALL_MARGIN)
            .workers(workers)
            .interceptor(faults.sdk())
            .pollerInterceptor(faults.poller())
            .busInterceptor(faults.bus())
            .build();
    Instant started = Instant.now();
    try (LocalRuntime runtime = LocalRuntime.start(localOptions);
        Journal watching = journal.watch(runtime)) {
      Client client = new Client(runtime.apiEndpoint());
      String request = request(options);
      int[] attempts = {0};
      String runId = client.submit(request, attempts, started.plus(options.timeout()));
      progress.accept(
          "run "
              + runId
              + ": "
              + options.tasks()
              + " tasks submitted in "
              + attempts[0]
              + " attempt(s)");
      sendPoison(runtime, faults, options);

      // Faults run until most of the run is done (or half the time budget), then stop.
      Instant faultDeadline = started.plus(options.timeout().dividedBy(2));
      JsonNode run = client.get(runId);
      while (Instant.now().isBefore(faultDeadline)
          && done(run) < options.tasks() * 9 / 10
          && !finished(run)) {
        Thread.sleep(250);
        run = client.get(runId);
      }
      faults.stopTaskFaults();
      Instant stoppedAt = Instant.now();
      int remaining = options.tasks() - done(run);
      Duration bound = drainBound(localOptions, remaining);
      progress.accept("faults stopped with " + remaining + " tasks to go; waiting up to " + bound);
      Instant deadline = started.plus(options.timeout());
      Instant nextReport = Instant.now().plusSeconds(10);
      while (!finished(run) && Instant.now().isBefore(deadline)) {
        Thread.sleep(250);
        run = client.get(runId);
        if (Instant.now().isAfter(nextReport)) {
          nextReport = nextReport.plusSeconds(10);
          progress.accept(
              done(run) + " of " + options.tasks() + " tasks done, run " + run.path("status"));
        }
      }
      Optional<Duration> drain =
          finished(run)
              ? Optional.of(Duration.between(stoppedAt, Instant.now()))
              : Optional.empty();
      // RunCompleted may still be on its way (a publish retried, or re-published by the sweep).
      Instant eventDeadline = Instant.now().plus(bound);
      while (finished(run)
          && InvariantChecker.completedEvents(runtime, runId) == 0
          && Instant.now().isBefore(eventDeadline)) {
        Thread.sleep(250);
      }
      faults.stop();
      runtime.bus().awaitIdle(Duration.ofSeconds(30));
      InvariantChecker.Report report =
          new InvariantChecker(runtime, journal)
              .check(
                  runId,
                  options.tasks(),
                  drain.isPresent()
                      ? drain
                      : Optional.of(Duration.between(stoppedAt, Instant.now()).plus(bound)),
                  bound);
      return new Result(
          options,
          rates,
          faults.injected(),
          report,
          Duration.between(started, Instant.now()),
          drain,
          bound,
          attempts[0],
          timeline(run, stoppedAt));
    }
  }

  /**
   * I6: once faults stop, the run finishes within: the longest a task may stay claimed (timeout +
   * grace), a visibility timeout for a message held by a crashed invocation, the sweep's stall
   * threshold and interval, the longest retry backoff, a summarizing lease, and the work left at
   * the slowest rate this machine sustains.
   */
  static Duration drainBound(LocalOptions options, int remainingTasks) {
    Duration lease = Duration.ofSeconds(TASK_TIMEOUT_SECONDS).plus(options.leaseGrace());
    Duration stall = Duration.ofSeconds(TASK_TIMEOUT_SECONDS).plus(options.stallMargin());
    Duration backoff = Duration.ofSeconds(1L << (MAX_ATTEMPTS - 2));
    return lease
        .plus(options.visibilityTimeout())
        .plus(stall)
        .plus(options.sweepInterval())
        .plus(backoff)
        .plus(options.summaryLease())
        .plus(Duration.ofSeconds(remainingTasks / MIN_TASKS_PER_SECOND + 10));
  }

  private static String request(Options options) {
    ObjectNode request = Json.object();
    if (options.discover()) {
      request.putObject("source").put("type", "range").put("end", options.tasks());
    } else {
      ArrayNode items = request.putArray("items");
      for (int i = 0; i < options.tasks(); i++) {
        items.addObject().put("i", i);
      }
    }
    request.put("worker", ChaosWorker.NAME);
    request.putObject("workerConfig");
    request.put(
        "idempotencyKey",
        "soak-" + options.seed() + "-" + options.tasks() + (options.discover() ? "-d" : ""));
    request.put("maxAttempts", MAX_ATTEMPTS);
    request.put("taskTimeoutSeconds", TASK_TIMEOUT_SECONDS);
    return Json.write(request);
  }

  /** Messages that can never be processed, sent straight to the work queue. */
  private static void sendPoison(LocalRuntime runtime, FaultInjector faults, Options options) {
    String[] bodies = {
      "not json at all",
      "{\"v\":1,\"runId\":\"r-000000000000000000000000\",\"task\":0}",
      "{\"v\":2,\"runId\":\"r-000000000000000000000000\",\"task\":0}",
      "[]"
    };
    for (int i = 0; i < options.tasks(); i++) {
      if (faults.fires(FaultKind.POISON_MESSAGE, "poison#" + i)) {
        String body = bodies[i % bodies.length];
        runtime
            .clients()
            .sqs()
            .sendMessage(b -> b.queueUrl(runtime.queues().queueUrl()).messageBody(body));
      }
    }
  }

  /** When the run reached each stage, and when faults on the task path stopped. */
  private static Map<String, String> timeline(JsonNode run, Instant faultsStopped) {
    Map<String, String> timeline = new LinkedHashMap<>();
    for (String field : List.of("createdAt", "discovery/endedAt", "dispatchedAt")) {
      timeline.put(field, run.at("/" + field).asText(""));
    }
    timeline.put("taskFaultsStoppedAt", faultsStopped.toString());
    for (String field : List.of("drainedAt", "completedAt")) {
      timeline.put(field, run.path(field).asText(""));
    }
    return timeline;
  }

  private static int done(JsonNode run) {
    return run.path("succeeded").asInt() + run.path("failed").asInt();
  }

  private static boolean finished(JsonNode run) {
    String status = run.path("status").asText();
    return status.equals("SUCCEEDED") || status.equals("FAILED");
  }

  /** The soak's client: retries a submission (same idempotency key) until its dispatch is done. */
  static final class Client {
    private final URI base;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Client(URI base) {
      this.base = base;
    }

    String submit(String body, int[] attempts, Instant deadline) throws Exception {
      while (Instant.now().isBefore(deadline)) {
        attempts[0]++;
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(base.resolve("/runs"))
                    .timeout(Duration.ofSeconds(60))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 || response.statusCode() == 202) {
          JsonNode run = Json.parse(response.body());
          if (!run.path("status").asText().equals("DISPATCHING")) {
            return run.get("runId").asText();
          }
        } else if (response.statusCode() < 500) {
          throw new IllegalStateException("the soak's request was refused: " + response.body());
        }
        Thread.sleep(Math.min(2000, 100L * attempts[0]));
      }
      throw new IllegalStateException("the run could not be submitted before the deadline");
    }

    JsonNode get(String runId) throws Exception {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(base.resolve("/runs/" + runId))
                  .timeout(Duration.ofSeconds(30))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Json.object().put("status", "UNKNOWN");
      }
      return Json.parse(response.body());
    }
  }
}
