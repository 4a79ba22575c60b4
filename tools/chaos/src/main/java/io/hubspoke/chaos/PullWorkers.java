package io.hubspoke.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.service.LeaseToken;
import io.hubspoke.core.store.Lease;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's pull workers: a few threads in this process that work a pull run over the HTTP API as
 * an external worker does (long-polling claims of up to {@link #CLAIM_MAX} tasks, run at once,
 * heartbeats while a task runs, the result or error with the claim's token), each task run by
 * {@link ChaosWorker}, which journals its execution as a spoke's does. Two faults of their own,
 * drawn per task attempt from the seed:
 *
 * <ul>
 *   <li>{@link FaultKind#PULL_WORKER_DIES}: the worker runs the task and dies holding its lease (no
 *       more heartbeats, no result); the next claim after the lease takes the task over. The thread
 *       comes back as a new worker (a new worker id) once the other tasks of its claim, which did
 *       not die with it, are reported;
 *   <li>{@link FaultKind#PULL_LATE_COMMIT}: the worker stalls without heartbeats, and sends its
 *       result only once it sees another claim took the task over; the answer (which must be 409
 *       {@code LeaseLost}) goes into the journal, where the invariant checker holds it to that.
 * </ul>
 *
 * <p>A task runs until its deadline (the run's task timeout from the claim, as on a spoke); a
 * worker still at work then is given up and the task reported as a retryable {@code Timeout}.
 */
final class PullWorkers implements AutoCloseable {
  static final int THREADS = 4;

  /** The most tasks one claim takes; the worker runs them at once, each heartbeating its own. */
  static final int CLAIM_MAX = 3;

  /** Each claim's lease and each heartbeat's extension: a task timeout plus a grace. */
  static final int LEASE_SECONDS = 2;

  static final Duration HEARTBEAT_EVERY = Duration.ofMillis(500);
  static final int WAIT_SECONDS = 1;

  /** How long a late committer waits to see its task taken over before it gives up being late. */
  static final Duration TAKEOVER_PATIENCE = Duration.ofSeconds(30);

  private final URI api;
  private final String runId;
  private final ChaosWorker worker;
  private final FaultInjector faults;
  private final Journal journal;
  private final Duration taskTimeout;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService loops;
  private final ExecutorService attempts =
      Executors.newCachedThreadPool(daemon("soak-pull-attempt"));
  private final ExecutorService tasks = Executors.newCachedThreadPool(daemon("soak-pull-task"));
  private final ExecutorService stragglers =
      Executors.newCachedThreadPool(daemon("soak-pull-straggler"));
  private volatile boolean stopped;

  private final AtomicLong claims = new AtomicLong();
  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong heartbeats = new AtomicLong();
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong leaseLost = new AtomicLong();
  private final AtomicLong runStopped = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong deaths = new AtomicLong();
  private final AtomicLong lateCommits = new AtomicLong();
  private final AtomicLong retriedRequests = new AtomicLong();

  private PullWorkers(
      URI api,
      String runId,
      ChaosWorker worker,
      FaultInjector faults,
      Journal journal,
      Duration taskTimeout,
      int threads) {
    this.api = api;
    this.runId = runId;
    this.worker = worker;
    this.faults = faults;
    this.journal = journal;
    this.taskTimeout = taskTimeout;
    this.loops = Executors.newFixedThreadPool(threads, daemon("soak-pull-worker"));
  }

  /** Starts {@code threads} workers on the run; they claim until closed. */
  static PullWorkers start(
      URI api,
      String runId,
      ChaosWorker worker,
      FaultInjector faults,
      Journal journal,
      Duration taskTimeout,
      int threads) {
    PullWorkers workers =
        new PullWorkers(api, runId, worker, faults, journal, taskTimeout, threads);
    for (int i = 0; i < threads; i++) {
      int n = i;
      workers.loops.submit(() -> workers.loop(n));
    }
    return workers;
  }

  /** What the workers did, for the soak's report. */
  Map<String, Long> figures() {
    Map<String, Long> figures = new LinkedHashMap<>();
    figures.put("claims", claims.get());
    figures.put("tasksClaimed", claimed.get());
    figures.put("heartbeats", heartbeats.get());
    figures.put("resultsRecorded", recorded.get());
    figures.put("leaseLost", leaseLost.get());
    figures.put("runStopped", runStopped.get());
    figures.put("timeouts", timeouts.get());
    figures.put("workersDied", deaths.get());
    figures.put("lateCommits", lateCommits.get());
    figures.put("requestsRetried", retriedRequests.get());
    return figures;
  }

  private void loop(int thread) {
    int generation = 0;
    while (!stopped) {
      String workerId = "soak-" + thread + "." + generation;
      try {
        Reply reply =
            post(
                "/runs/" + runId + "/claims",
                Json.object()
                    .put("max", CLAIM_MAX)
                    .put("waitSeconds", WAIT_SECONDS)
                    .put("leaseSeconds", LEASE_SECONDS)
                    .put("workerId", workerId));
        claims.incrementAndGet();
        if (reply.status() != 200) {
          pause(100); // throttled or failed: the hub's own retries were not enough
          continue;
        }
        JsonNode offered = reply.body().path("tasks");
        if (offered.isEmpty()) {
          if (reply.body().path("done").asBoolean()) {
            pause(200); // ended or cancelling: a redrive may open it again
          }
          continue;
        }
        List<Future<Boolean>> working = new ArrayList<>();
        for (JsonNode task : offered) {
          claimed.incrementAndGet();
          working.add(attempts.submit(() -> work(task, reply.body().path("workerConfig"))));
        }
        boolean died = false;
        for (Future<Boolean> attempt : working) {
          try {
            died |= !attempt.get();
          } catch (ExecutionException e) {
            // That attempt's requests failed for good: its lease runs out and it is taken over.
          }
        }
        if (died) {
          deaths.incrementAndGet();
          generation++; // a new process takes the dead one's place
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (stopped) {
          return;
        }
        try {
          pause(100);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  /**
   * Runs one claimed task: heartbeats while it runs, then reports it. Returns false if the worker
   * died holding it.
   */
  private boolean work(JsonNode task, JsonNode config) throws InterruptedException, IOException {
    int index = task.path("taskNumber").asInt();
    int attempt = task.path("attempt").asInt();
    String taskId = task.path("taskId").asText();
    String token = task.path("token").asText();
    String key = taskId + "@" + attempt;
    boolean dies = faults.fires(FaultKind.PULL_WORKER_DIES, key);
    boolean late = !dies && faults.fires(FaultKind.PULL_LATE_COMMIT, key);
    Instant deadline = Instant.now().plus(taskTimeout);
    TaskContext context =
        new TaskContext(
            runId,
            taskId,
            index,
            attempt,
            task.path("maxAttempts").asInt(),
            task.path("item"),
            config,
            deadline,
            Clock.systemUTC());
    Future<TaskOutcome> running = tasks.submit(() -> worker.execute(context));
    TaskOutcome outcome = null;
    while (outcome == null) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        timeouts.incrementAndGet();
        outcome = TaskOutcome.retryable("Timeout", "the task ran past its deadline");
        break;
      }
      try {
        outcome =
            running.get(
                Math.min(left.toMillis(), HEARTBEAT_EVERY.toMillis()), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        if (dies || late) {
          continue; // no heartbeats: a dead or stalled worker's lease runs out
        }
        Reply beat =
            post(
                "/runs/" + runId + "/tasks/" + index + "/heartbeat",
                Json.object().put("token", token).put("leaseSeconds", LEASE_SECONDS));
        heartbeats.incrementAndGet();
        if (beat.status() == 200) {
          token = beat.body().path("token").asText();
        } else if (beat.status() == 409) {
          // Taken over, or its run stopped: nothing this attempt returns will count.
          (beat.body().path("error").asText().equals("RunStopped") ? runStopped : leaseLost)
              .incrementAndGet();
          return true;
        }
      } catch (ExecutionException crashed) {
        outcome =
            TaskOutcome.retryable("WorkerCrashed", String.valueOf(crashed.getCause().getMessage()));
      }
    }
    if (dies) {
      return false;
    }
    if (late) {
      String held = token;
      TaskOutcome result = outcome;
      lateCommits.incrementAndGet();
      stragglers.submit(() -> commitLate(index, held, result));
      return true;
    }
    report(index, token, outcome);
    return true;
  }

  /** Sends the outcome with the claim's token, retrying what a retry can fix; the last answer. */
  private Reply report(int index, String token, TaskOutcome outcome)
      throws InterruptedException, IOException {
    ObjectNode body = Json.object().put("token", token);
    if (outcome instanceof TaskOutcome.Success success) {
      body.set("result", success.result());
    } else {
      TaskOutcome.Failure failure = (TaskOutcome.Failure) outcome;
      body.putObject("error")
          .put("type", failure.errorType())
          .put("message", failure.message())
          .put("retryable", failure.retryable());
    }
    Reply reply = post("/runs/" + runId + "/tasks/" + index + "/result", body);
    if (reply.status() == 200) {
      recorded.incrementAndGet();
    } else if (reply.status() == 409) {
      leaseLost.incrementAndGet();
    }
    return reply;
  }

  /**
   * A stalled worker's result: sent once another claim took its task over (or the task ended
   * without it), and the answer journaled. If nothing took the task within the patience, the result
   * is sent as an ordinary one, and is not a late commit.
   */
  private void commitLate(int index, String token, TaskOutcome outcome) {
    try {
      Lease lease = LeaseToken.decode(token, runId, index).orElseThrow();
      Instant until = Instant.now().plus(TAKEOVER_PATIENCE);
      boolean takenOver = false;
      while (Instant.now().isBefore(until)) {
        Reply now = get("/runs/" + runId + "/tasks/" + index);
        if (now.status() == 200) {
          JsonNode task = now.body();
          takenOver =
              !task.path("status").asText().equals("RUNNING")
                  || task.path("attempt").asInt() != lease.attempt()
                  || task.path("round").asInt(0) != lease.round();
          if (takenOver) {
            break;
          }
        }
        pause(200);
      }
      Reply answer = report(index, token, outcome);
      if (takenOver) {
        journal.lateCommit(
            new Journal.LateCommit(
                runId,
                index,
                lease.round(),
                lease.attempt(),
                lease.owner(),
                answer.status(),
                answer.body().path("error").asText("")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // The straggler could not reach the hub: it sent nothing, or its answer is unknown.
    }
  }

  record Reply(int status, JsonNode body) {}

  /** POSTs the JSON; throttling, 5xx and unreachable hubs are tried again with backoff. */
  private Reply post(String path, ObjectNode body) throws InterruptedException, IOException {
    return send(
        HttpRequest.newBuilder(api.resolve(path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
  }

  private Reply get(String path) throws InterruptedException, IOException {
    return send(HttpRequest.newBuilder(api.resolve(path)).GET());
  }

  private Reply send(HttpRequest.Builder request) throws InterruptedException, IOException {
    HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
    long pause = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if ((status != 429 && status < 500) || attempt == 6) {
          return new Reply(status, parse(response.body()));
        }
      } catch (IOException e) {
        if (attempt == 6 || stopped) {
          throw e;
        }
      }
      retriedRequests.incrementAndGet();
      pause(pause);
      pause = Math.min(1000, pause * 2);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body.isBlank() ? Json.object() : Json.parse(body);
    } catch (IOException e) {
      return Json.object().put("raw", body);
    }
  }

  private static void pause(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  /**
   * Stops claiming, lets stragglers send what they hold (each waits at most {@link
   * #TAKEOVER_PATIENCE} for its takeover), and ends every thread.
   */
  @Override
  public void close() {
    stopped = true;
    loops.shutdownNow();
    attempts.shutdownNow();
    stragglers.shutdown();
    tasks.shutdownNow();
    try {
      loops.awaitTermination(40, TimeUnit.SECONDS);
      attempts.awaitTermination(40, TimeUnit.SECONDS);
      stragglers.awaitTermination(40, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stragglers.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
