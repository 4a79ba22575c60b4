package io.hubspoke.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.ShardCounters;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A randomized soak: one run of N tasks through the local runtime, dispatched by queue, push,
 * hybrid or pull, with every kind of fault injected at rates drawn from the seed (the seams of its
 * mode among them: lost push invocations, lost {@code WorkAvailable} deliveries, pull workers that
 * die holding a lease or commit after it), operated on while the faults go on (cancelled at a
 * random point of its progress and redriven, once or twice; or redriven once it ended; or left
 * alone; with or without a {@code maxConcurrency} where the mode takes one, all drawn from the
 * seed), then faults stopped, the run awaited, and the invariants checked. A pull run is worked by
 * {@link PullWorkers} in this process, over the HTTP API.
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

  /** The longest a capped run's message waits for a slot before it is tried again. */
  static final int LONGEST_SLOT_WAIT_SECONDS = 60;

  /** The cap drawn from the seed (see {@link #plan}), as opposed to none or a given one. */
  public static final int CAP_FROM_SEED = -1;

  /** The maxConcurrency values a seed draws from, when it draws one. */
  static final int[] CAPS = {4, 8, 16};

  /**
   * How long the local Lambda endpoint waits before retrying a failed asynchronous invocation (a
   * push whose tasks could not be recorded): Lambda's minute and two, shortened to the soak's pace.
   */
  static final List<Duration> EVENT_RETRY_DELAYS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(2));

  /**
   * @param discover whether the run discovers its items (a {@code range} source of {@code tasks}
   *     numbers, under the same faults) instead of listing them
   * @param operations what the soak does to the run while faults go on ({@link Operations#RANDOM}:
   *     drawn from the seed)
   * @param maxConcurrency the run's cap: 0 none, {@link #CAP_FROM_SEED} drawn from the seed (none
   *     on some seeds, and always none for pull and hybrid, which refuse a cap), or K
   * @param dispatch how the run's tasks reach their workers ({@link DispatchChoice#RANDOM}: drawn
   *     from the seed)
   */
  public record Options(
      int tasks,
      long seed,
      Duration timeout,
      boolean discover,
      Operations operations,
      int maxConcurrency,
      DispatchChoice dispatch) {
    public Options(int tasks, long seed, Duration timeout) {
      this(tasks, seed, timeout, false);
    }

    public Options(int tasks, long seed, Duration timeout, boolean discover) {
      this(tasks, seed, timeout, discover, Operations.RANDOM, CAP_FROM_SEED);
    }

    public Options(
        int tasks,
        long seed,
        Duration timeout,
        boolean discover,
        Operations operations,
        int maxConcurrency) {
      this(tasks, seed, timeout, discover, operations, maxConcurrency, DispatchChoice.RANDOM);
    }
  }

  /** The run's {@code dispatch}: given, or drawn from the seed. */
  public enum DispatchChoice {
    /** One of the four, drawn from the seed. */
    RANDOM,
    QUEUE,
    PUSH,
    HYBRID,
    PULL;

    /** The name on the command line: {@code push}, {@code random}. */
    public String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static DispatchChoice fromCliName(String name) {
      for (DispatchChoice choice : values()) {
        if (choice.cliName().equals(name)) {
          return choice;
        }
      }
      throw new IllegalArgumentException(
          "unknown dispatch "
              + name
              + "; one of "
              + java.util.Arrays.stream(values()).map(DispatchChoice::cliName).toList());
    }

    /** The mode given (empty for {@link #RANDOM}). */
    public Optional<Dispatch> given() {
      return this == RANDOM ? Optional.empty() : Dispatch.fromWire(cliName());
    }
  }

  /** What the soak does to its run while the faults go on. */
  public enum Operations {
    /** One of the others, drawn from the seed. */
    RANDOM,
    /** Nothing: the run is awaited. */
    NONE,
    /** Once the run ended, its FAILED tasks are redriven (if any). */
    REDRIVE,
    /**
     * Cancelled at a random point of its progress (20–70 %), awaited CANCELLED, then its FAILED and
     * CANCELLED tasks redriven.
     */
    CANCEL_REDRIVE,
    /** As {@link #CANCEL_REDRIVE}, and that redrive cancelled in turn and redriven once more. */
    CANCEL_REDRIVE_TWICE;

    /** The name on the command line: {@code cancel-redrive-twice}. */
    public String cliName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static Operations fromCliName(String name) {
      for (Operations operations : values()) {
        if (operations.cliName().equals(name)) {
          return operations;
        }
      }
      throw new IllegalArgumentException(
          "unknown operations "
              + name
              + "; one of "
              + java.util.Arrays.stream(values()).map(Operations::cliName).toList());
    }
  }

  /**
   * What this seed does to the run.
   *
   * @param operations never {@link Operations#RANDOM}
   * @param cancelAt for each cancel, the share of its round's tasks done (percent) it waits for
   * @param maxConcurrency the run's cap (0: none)
   * @param dispatch the run's dispatch mode
   */
  public record Plan(
      Operations operations, List<Integer> cancelAt, int maxConcurrency, Dispatch dispatch) {
    @Override
    public String toString() {
      return dispatch.wireName()
          + ": "
          + operations.cliName()
          + (cancelAt.isEmpty()
              ? ""
              : " at "
                  + String.join("/", cancelAt.stream().map(p -> p + "%").toList())
                  + " of a round")
          + (maxConcurrency > 0 ? ", maxConcurrency " + maxConcurrency : "");
    }
  }

  public record Result(
      Options options,
      Plan plan,
      List<String> operations,
      InvariantChecker.Expectations expected,
      Map<FaultKind, Double> rates,
      Map<FaultKind, Long> faults,
      InvariantChecker.Report report,
      Duration duration,
      Optional<Duration> drainAfterFaults,
      Duration bound,
      int submitAttempts,
      Map<String, String> timeline,
      Map<String, Long> pullWorkers) {

    public ObjectNode toJson() {
      ObjectNode json = Json.object();
      json.put("tasks", options.tasks());
      json.put("seed", options.seed());
      json.put("dispatch", plan.dispatch().wireName());
      json.put("discover", options.discover());
      json.put("plan", plan.toString());
      ArrayNode done = json.putArray("operations");
      operations.forEach(done::add);
      if (plan.maxConcurrency() > 0) {
        json.put("maxConcurrency", plan.maxConcurrency());
      }
      json.put("maxOverlap", report.maxOverlap());
      json.put("maxOverlapToEnd", report.maxOverlapToEnd());
      json.put("runId", report.runId());
      ObjectNode injected = json.putObject("faultsInjected");
      faults.forEach((kind, count) -> injected.put(kind.name(), count));
      json.put("faultsInjectedTotal", faults.values().stream().mapToLong(Long::longValue).sum());
      json.put("submitAttempts", submitAttempts);
      json.put("succeeded", report.succeeded());
      json.put("failed", report.failed());
      json.put("cancelled", report.cancelled());
      json.put("round", report.round());
      json.put("lost", report.lost());
      json.put("doubleCommitted", report.doubleCommitted());
      json.put("summaryExact", report.summaryExact());
      json.put("deadLetteredTasks", report.deadLettered());
      if (plan.dispatch() == Dispatch.PULL) {
        ObjectNode pull = json.putObject("pullWorkers");
        pullWorkers.forEach(pull::put);
        json.put("lateCommitsRefused", report.lateCommitsRefused());
      }
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
    // The seams of one mode each; a push carries ten tasks, a WorkAvailable up to a chunk's.
    rates.put(FaultKind.PUSH_LOST_INVOCATION, 0.08);
    rates.put(FaultKind.WORK_AVAILABLE_DROP, 0.25);
    rates.put(FaultKind.PULL_WORKER_DIES, 0.015);
    rates.put(FaultKind.PULL_LATE_COMMIT, 0.015);
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

  /** The modes a seed draws from, in the order it draws them. */
  static final Dispatch[] MODES = {Dispatch.QUEUE, Dispatch.PUSH, Dispatch.HYBRID, Dispatch.PULL};

  /** The modes that take a {@code maxConcurrency}. */
  static final Dispatch[] CAPPED_MODES = {Dispatch.QUEUE, Dispatch.PUSH};

  /**
   * What {@code options} do to the run: drawn from the seed with a Random of its own (the same
   * draws whatever is forced, so a forced operation keeps the seed's points and cap; the mode is
   * drawn last, so a seed keeps the operations and points it drew before modes were drawn).
   *
   * @throws IllegalArgumentException for a cap given to a pull or hybrid run, which refuse one
   */
  public static Plan plan(Options options) {
    Random random = new Random(options.seed() ^ 0x50A4_0B5L);
    int kind = random.nextInt(4);
    int firstCancel = 20 + random.nextInt(51);
    int secondCancel = 20 + random.nextInt(51);
    boolean capped = random.nextInt(3) > 0;
    int cap = CAPS[random.nextInt(CAPS.length)];
    // A cap given: drawn from the modes that take one.
    Dispatch[] modes = options.maxConcurrency() > 0 ? CAPPED_MODES : MODES;
    int mode = random.nextInt(modes.length);
    Dispatch dispatch = options.dispatch().given().orElse(modes[mode]);
    if (dispatch.claimsFromIndex() && options.maxConcurrency() > 0) {
      throw new IllegalArgumentException(
          "a "
              + dispatch.wireName()
              + " run takes no maxConcurrency (its workers, or the spokes its WorkAvailable wakes,"
              + " are its concurrency): give no cap, or another dispatch");
    }
    Operations operations =
        options.operations() != Operations.RANDOM
            ? options.operations()
            : switch (kind) {
              case 0 -> Operations.CANCEL_REDRIVE;
              case 1 -> Operations.CANCEL_REDRIVE_TWICE;
              case 2 -> Operations.REDRIVE;
              default -> Operations.NONE;
            };
    List<Integer> cancelAt =
        switch (operations) {
          case CANCEL_REDRIVE -> List.of(firstCancel);
          case CANCEL_REDRIVE_TWICE -> List.of(firstCancel, secondCancel);
          default -> List.of();
        };
    int maxConcurrency =
        dispatch.claimsFromIndex()
            ? 0
            : options.maxConcurrency() == CAP_FROM_SEED
                ? (capped ? cap : 0)
                : Math.max(0, options.maxConcurrency());
    return new Plan(operations, cancelAt, maxConcurrency, dispatch);
  }

  public static Result run(Options options, Consumer<String> progress) throws Exception {
    Map<FaultKind, Double> rates = ratesFor(options.seed());
    Plan plan = plan(options);
    FaultInjector faults = new FaultInjector(options.seed(), rates);
    Journal journal = new Journal();
    ChaosWorker chaos = new ChaosWorker(faults, journal);
    WorkerRegistry workers =
        new WorkerRegistry(List.of(new EchoWorker(), new SleepWorker(), new HttpWorker(), chaos));
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
            .pushInterceptor(faults.push())
            .eventRetryDelays(EVENT_RETRY_DELAYS)
            .build();
    Instant started = Instant.now();
    PullWorkers pullWorkers = null;
    try (LocalRuntime runtime = LocalRuntime.start(localOptions);
        Journal watching = journal.watch(runtime)) {
      Client client = new Client(runtime.apiEndpoint());
      String request = request(options, plan);
      int[] attempts = {0};
      String runId = client.submit(request, attempts, started.plus(options.timeout()));
      if (plan.dispatch() == Dispatch.PULL) {
        pullWorkers =
            PullWorkers.start(
                runtime.apiEndpoint(),
                runId,
                chaos,
                faults,
                journal,
                Duration.ofSeconds(TASK_TIMEOUT_SECONDS),
                PullWorkers.THREADS);
      }
      progress.accept(
          "run "
              + runId
              + ": "
              + options.tasks()
              + " tasks submitted in "
              + attempts[0]
              + " attempt(s); "
              + plan);
      sendPoison(runtime, faults, options);

      // Faults run until every operation was made and most of the run is done (or half the time
      // budget passed), then stop; the operations go on without them if they must.
      Operator operator =
          new Operator(
              client, new RoundProgress(runtime, runId), runId, options.tasks(), plan, progress);
      Instant faultDeadline = started.plus(options.timeout().dividedBy(2));
      Instant deadline = started.plus(options.timeout());
      Instant stoppedAt = null;
      int remainingAtStop = 0;
      Instant nextReport = Instant.now().plusSeconds(10);
      Instant resubmitDue = Instant.now();
      JsonNode run = client.get(runId);
      while (Instant.now().isBefore(deadline)) {
        resubmitDue = client.resubmit(request, run, attempts, resubmitDue);
        run = operator.step(run);
        if (stoppedAt == null
            && (!Instant.now().isBefore(faultDeadline)
                || (operator.finished()
                    && (done(run) >= options.tasks() * 9 / 10 || terminal(run))))) {
          faults.stopTaskFaults();
          stoppedAt = Instant.now();
          remainingAtStop = options.tasks() - done(run);
          progress.accept(
              "faults stopped with "
                  + remainingAtStop
                  + " tasks to go; waiting up to "
                  + drainBound(localOptions, remainingAtStop, plan.maxConcurrency()));
        }
        if (operator.finished() && terminal(run)) {
          break;
        }
        // Closer looks while a cancel waits for its point: a round may take only seconds.
        Thread.sleep(operator.waitsForProgress() ? 50 : 250);
        run = client.get(runId);
        if (Instant.now().isAfter(nextReport)) {
          nextReport = nextReport.plusSeconds(10);
          progress.accept(
              done(run)
                  + " of "
                  + options.tasks()
                  + " tasks done, run "
                  + run.path("status")
                  + " in round "
                  + run.path("round").asInt(0));
        }
      }
      if (stoppedAt == null) {
        faults.stopTaskFaults();
        stoppedAt = Instant.now();
        remainingAtStop = options.tasks() - done(run);
      }
      Map<String, Long> pullFigures = Map.of();
      if (pullWorkers != null) {
        // Before the check: a straggler's late result must be sent and journaled by then.
        pullWorkers.close();
        pullFigures = pullWorkers.figures();
      }
      // I6 holds for the final round: its drain starts when faults stopped or when the last
      // operation was answered, whichever came later, with the tasks left then.
      boolean lastOperationLater =
          operator.lastAnsweredAt() != null && operator.lastAnsweredAt().isAfter(stoppedAt);
      Instant drainFrom = lastOperationLater ? operator.lastAnsweredAt() : stoppedAt;
      int remaining = lastOperationLater ? operator.remainingAtLastAnswer() : remainingAtStop;
      Duration bound = drainBound(localOptions, remaining, plan.maxConcurrency());
      boolean finished = operator.finished() && terminal(run);
      Optional<Duration> drain =
          finished ? Optional.of(Duration.between(drainFrom, Instant.now())) : Optional.empty();
      // RunCompleted may still be on its way (a publish retried, or re-published by the sweep).
      int round = run.path("round").asInt(0);
      Instant eventDeadline = Instant.now().plus(bound);
      while (finished
          && InvariantChecker.completedEvents(runtime, runId, round) == 0
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
                      : Optional.of(Duration.between(drainFrom, Instant.now()).plus(bound)),
                  bound,
                  operator.expectations());
      return new Result(
          options,
          plan,
          operator.log(),
          operator.expectations(),
          rates,
          faults.injected(),
          report,
          Duration.between(started, Instant.now()),
          drain,
          bound,
          attempts[0],
          timeline(run, stoppedAt, operator.lastAnsweredAt()),
          pullFigures);
    } finally {
      if (pullWorkers != null) {
        pullWorkers.close();
      }
    }
  }

  /**
   * Makes the plan's operations on the run, one step per look at it, and records what was done. An
   * answer that races the run's end (a 409, or an error after which the write may have been
   * applied) is not a failure: the operator reads the run and tries again once it settles.
   */
  static final class Operator {
    private sealed interface Step permits Cancel, Redrive {}

    /** Cancel once {@code percent} of the round's tasks are done. */
    private record Cancel(int percent) implements Step {}

    /** Redrive the round's tasks in {@code statuses} once the round ended. */
    private record Redrive(List<String> statuses) implements Step {}

    private final Client client;
    private final RoundProgress roundProgress;
    private final String runId;
    private final int tasks;
    private final int maxConcurrency;
    private final Consumer<String> progress;
    private final java.util.ArrayDeque<Step> steps = new java.util.ArrayDeque<>();
    private final List<String> log = new java.util.ArrayList<>();
    private int rounds;
    private int cancels;
    private int cancelsAnsweredFirst;
    private boolean endsCancelled;

    /** The round of a cancel whose answer was an error: it may have been applied. */
    private Integer cancelUnansweredInRound;

    private String cancelUnansweredAt;

    /** The round a redrive was sent from whose answer did not say whether it started the next. */
    private Integer redriveUnansweredFromRound;

    private int roundTasks;
    private Instant lastAnsweredAt;
    private int remainingAtLastAnswer;

    Operator(
        Client client,
        RoundProgress roundProgress,
        String runId,
        int tasks,
        Plan plan,
        Consumer<String> progress) {
      this.client = client;
      this.roundProgress = roundProgress;
      this.runId = runId;
      this.tasks = tasks;
      this.roundTasks = tasks;
      this.maxConcurrency = plan.maxConcurrency();
      this.progress = progress;
      List<String> failedAndCancelled = List.of("FAILED", "CANCELLED");
      for (int percent : plan.cancelAt()) {
        steps.add(new Cancel(percent));
        steps.add(new Redrive(failedAndCancelled));
      }
      if (plan.operations() == Operations.REDRIVE) {
        steps.add(new Redrive(List.of("FAILED")));
      }
    }

    /** Whether the next operation waits for a point of the run's progress. */
    boolean waitsForProgress() {
      return steps.peek() instanceof Cancel;
    }

    /** Every operation of the plan was made. */
    boolean finished() {
      return steps.isEmpty();
    }

    List<String> log() {
      return List.copyOf(log);
    }

    Instant lastAnsweredAt() {
      return lastAnsweredAt;
    }

    int remainingAtLastAnswer() {
      return remainingAtLastAnswer;
    }

    InvariantChecker.Expectations expectations() {
      return new InvariantChecker.Expectations(
          rounds, cancels, cancelsAnsweredFirst, endsCancelled, maxConcurrency);
    }

    /** Makes the next operation if the run is ready for it; returns the run as now seen. */
    JsonNode step(JsonNode run) throws Exception {
      Step next = steps.peek();
      if (next instanceof Cancel cancel) {
        return cancel(run, cancel);
      }
      if (next instanceof Redrive redrive) {
        return redrive(run, redrive);
      }
      return run;
    }

    private JsonNode cancel(JsonNode run, Cancel step) throws Exception {
      String status = run.path("status").asText();
      if (cancelUnansweredInRound != null
          && cancelUnansweredInRound == run.path("round").asInt(0)
          && (status.equals("CANCELLING") || status.equals("CANCELLED"))) {
        cancelled(false);
        return record(run, cancelUnansweredAt + "(answer lost)");
      }
      if (terminal(run) || status.equals("SUMMARIZING")) {
        record(run, "cancel@" + step.percent() + "%:missed (the round ended " + status + ")");
        steps.poll();
        return run;
      }
      // A cancel while discovering would end the discovery with fewer tasks than items.
      if (status.equals("DISCOVERING") || status.equals("UNKNOWN")) {
        return run;
      }
      int roundDone = roundProgress.done();
      if (roundDone * 100L < (long) step.percent() * roundTasks) {
        return run;
      }
      String at = "cancel@" + roundDone * 100 / Math.max(1, roundTasks) + "%";
      Client.Reply reply = client.cancel(runId);
      if (reply.status() == 202 || reply.status() == 200) {
        // 200: already cancelling, i.e. an earlier try of this cancel was applied (or this one,
        // its first write's response lost: then nothing published RunCancelled).
        cancelled(reply.status() == 202);
        return record(client.get(runId), at + (reply.status() == 200 ? "(answered 200)" : ""));
      }
      if (reply.status() == 409) {
        steps.poll();
        JsonNode now = client.get(runId);
        return record(now, at + ":too late (run " + now.path("status").asText() + ")");
      }
      // An error: the cancel may have been applied; the retry, or the run, says.
      cancelUnansweredInRound = run.path("round").asInt(0);
      cancelUnansweredAt = at;
      progress.accept("cancel answered " + reply.status() + "; trying again");
      return client.get(runId);
    }

    private void cancelled(boolean first) {
      cancels++;
      if (first) {
        cancelsAnsweredFirst++;
      }
      endsCancelled = true;
      cancelUnansweredInRound = null;
      steps.poll();
    }

    private JsonNode redrive(JsonNode run, Redrive step) throws Exception {
      if (redriveUnansweredFromRound != null
          && run.path("round").asInt(0) > redriveUnansweredFromRound) {
        JsonNode entry = run.path("redrives").path(run.path("redrives").size() - 1);
        redriven(entry.path("tasks").asInt());
        return record(run, "redrive#" + rounds + "(" + roundTasks + " tasks, answer lost)");
      }
      if (!terminal(run)) {
        return run;
      }
      int roundBefore = run.path("round").asInt(0);
      roundProgress.beforeRedrive(step.statuses());
      Client.Reply reply = client.redrive(runId, step.statuses());
      if (reply.status() == 202) {
        redriven(reply.body().path("redrive").path("tasks").asInt());
        return record(client.get(runId), "redrive#" + rounds + "(" + roundTasks + " tasks)");
      }
      if (reply.status() == 409 && reply.body().path("error").asText().equals("NothingToRedrive")) {
        steps.poll();
        return record(client.get(runId), "redrive:nothing in " + String.join("+", step.statuses()));
      }
      // RunNotFinished or an error: a redrive whose write was applied and its response lost has
      // started the round (and the sweep sends its messages); the run's round will say.
      if (redriveUnansweredFromRound == null) {
        redriveUnansweredFromRound = roundBefore;
      }
      progress.accept(
          "redrive answered " + reply.status() + " " + reply.body() + "; looking at the run");
      return client.get(runId);
    }

    private void redriven(int revived) {
      redriveUnansweredFromRound = null;
      rounds++;
      roundProgress.began(rounds);
      roundTasks = revived;
      endsCancelled = false;
      steps.poll();
    }

    private JsonNode record(JsonNode run, String operation) {
      log.add(operation);
      lastAnsweredAt = Instant.now();
      remainingAtLastAnswer = terminal(run) ? 0 : tasks - done(run);
      progress.accept(operation + ": run " + run.path("status").asText());
      return run;
    }
  }

  /**
   * How many tasks of the run's current round are terminal, from its shard counters. The HTTP
   * counts cannot say: a redrive drops the revived tasks from each shard's counter only when the
   * hub begins the round in that shard, so right after a redrive they still count the tasks it
   * revived. A shard whose counter is in the round counts what it holds beyond the tasks it kept
   * from the round before; one not yet in it counts none.
   */
  static final class RoundProgress {
    private final RunStore runs;
    private final ShardCounters counters;
    private final String runId;
    private int round;

    /** Per shard, the terminal tasks a redrive left alone: the round's base there. */
    private Map<Integer, Integer> kept = Map.of();

    RoundProgress(LocalRuntime runtime, String runId) {
      this.runs =
          new RunStore(runtime.clients().dynamoDb(), LocalOptions.TABLE_NAME, Clock.systemUTC());
      this.counters =
          new ShardCounters(
              runtime.clients().dynamoDb(),
              LocalOptions.TABLE_NAME,
              Clock.systemUTC(),
              Backoff.standard());
      this.runId = runId;
    }

    /** Just before a redrive of the tasks in {@code statuses}: what each shard keeps. */
    void beforeRedrive(List<String> statuses) {
      Map<Integer, Integer> base = new HashMap<>();
      for (ShardCount count : counts()) {
        base.put(
            count.shard(),
            count.succeeded()
                + (statuses.contains("FAILED") ? 0 : count.failed())
                + (statuses.contains("CANCELLED") ? 0 : count.cancelled()));
      }
      kept = base;
    }

    void began(int round) {
      this.round = round;
    }

    int done() {
      int done = 0;
      for (ShardCount count : counts()) {
        if (count.round() == round) {
          done +=
              count.succeeded()
                  + count.failed()
                  + count.cancelled()
                  - kept.getOrDefault(count.shard(), 0);
        }
      }
      return done;
    }

    private List<ShardCount> counts() {
      return runs.get(runId).map(run -> counters.counts(run.spec())).orElse(List.of());
    }
  }

  /**
   * I6: once faults stop, the run finishes within: the longest a task may stay claimed (timeout +
   * grace), a visibility timeout for a message held by a crashed invocation, the sweep's stall
   * threshold and interval, the longest retry backoff, a summarizing lease, and the work left at
   * the slowest rate this machine sustains. A capped run adds the longest wait of a message for a
   * slot (a minute), and its work left goes at most K tasks a second.
   */
  static Duration drainBound(LocalOptions options, int remainingTasks, int maxConcurrency) {
    Duration lease = Duration.ofSeconds(TASK_TIMEOUT_SECONDS).plus(options.leaseGrace());
    Duration stall = Duration.ofSeconds(TASK_TIMEOUT_SECONDS).plus(options.stallMargin());
    Duration backoff = Duration.ofSeconds(1L << (MAX_ATTEMPTS - 2));
    int rate =
        maxConcurrency > 0 ? Math.min(MIN_TASKS_PER_SECOND, maxConcurrency) : MIN_TASKS_PER_SECOND;
    return lease
        .plus(options.visibilityTimeout())
        .plus(stall)
        .plus(options.sweepInterval())
        .plus(backoff)
        .plus(options.summaryLease())
        .plus(maxConcurrency > 0 ? Duration.ofSeconds(LONGEST_SLOT_WAIT_SECONDS) : Duration.ZERO)
        .plus(Duration.ofSeconds(remainingTasks / rate + 10));
  }

  private static String request(Options options, Plan plan) {
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
    if (plan.dispatch() != Dispatch.QUEUE) {
      request.put("dispatch", plan.dispatch().wireName());
    }
    request.putObject("workerConfig");
    request.put(
        "idempotencyKey",
        "soak-" + options.seed() + "-" + options.tasks() + (options.discover() ? "-d" : ""));
    request.put("maxAttempts", MAX_ATTEMPTS);
    request.put("taskTimeoutSeconds", TASK_TIMEOUT_SECONDS);
    if (plan.maxConcurrency() > 0) {
      request.put("maxConcurrency", plan.maxConcurrency());
    }
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

  /**
   * When the run reached each stage (the last round's drain and completion), when faults on the
   * task path stopped, and when the last operation was answered.
   */
  private static Map<String, String> timeline(
      JsonNode run, Instant faultsStopped, Instant lastOperation) {
    Map<String, String> timeline = new LinkedHashMap<>();
    for (String field : List.of("createdAt", "discovery/endedAt", "dispatchedAt")) {
      timeline.put(field, run.at("/" + field).asText(""));
    }
    timeline.put("taskFaultsStoppedAt", faultsStopped.toString());
    if (lastOperation != null) {
      timeline.put("lastOperationAt", lastOperation.toString());
    }
    for (String field : List.of("drainedAt", "completedAt")) {
      timeline.put(field, run.path(field).asText(""));
    }
    return timeline;
  }

  /** Tasks terminal now (a redrive's revived tasks are not, until they end again). */
  private static int done(JsonNode run) {
    return run.path("succeeded").asInt()
        + run.path("failed").asInt()
        + run.path("cancelled").asInt();
  }

  private static boolean terminal(JsonNode run) {
    String status = run.path("status").asText();
    return status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED");
  }

  /**
   * The soak's client: retries a submission (same idempotency key) until its dispatch is done;
   * cancels and redrives.
   */
  static final class Client {
    private final URI base;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Client(URI base) {
      this.base = base;
    }

    /**
     * Submits until the run is accepted (each try with the same idempotency key); {@link #resubmit}
     * then goes on while it is dispatching.
     */
    String submit(String body, int[] attempts, Instant deadline) throws Exception {
      while (Instant.now().isBefore(deadline)) {
        Optional<JsonNode> run = submitOnce(body, attempts);
        if (run.isPresent()) {
          return run.get().get("runId").asText();
        }
        Thread.sleep(Math.min(2000, 100L * attempts[0]));
      }
      throw new IllegalStateException("the run could not be submitted before the deadline");
    }

    /**
     * While the run is DISPATCHING, submits it again (same key) every so often, as a client whose
     * hub may have died would: a retry resumes its dispatch. Returns when to look again.
     */
    Instant resubmit(String body, JsonNode run, int[] attempts, Instant due) throws Exception {
      if (!run.path("status").asText().equals("DISPATCHING") || Instant.now().isBefore(due)) {
        return due;
      }
      submitOnce(body, attempts);
      return Instant.now().plusMillis(Math.min(2000, 100L * attempts[0]));
    }

    private Optional<JsonNode> submitOnce(String body, int[] attempts) throws Exception {
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
        return Optional.of(Json.parse(response.body()));
      }
      if (response.statusCode() < 500) {
        throw new IllegalStateException("the soak's request was refused: " + response.body());
      }
      return Optional.empty();
    }

    record Reply(int status, JsonNode body) {}

    /** {@code DELETE /runs/{runId}}. */
    Reply cancel(String runId) throws Exception {
      return send(HttpRequest.newBuilder(base.resolve("/runs/" + runId)).DELETE());
    }

    /** {@code POST /runs/{runId}/redrive} with {@code {"statuses":[...]}}. */
    Reply redrive(String runId, List<String> statuses) throws Exception {
      ObjectNode body = Json.object();
      ArrayNode names = body.putArray("statuses");
      statuses.forEach(names::add);
      return send(
          HttpRequest.newBuilder(base.resolve("/runs/" + runId + "/redrive"))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    private Reply send(HttpRequest.Builder request) throws Exception {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = response.body().isBlank() ? Json.object() : Json.parse(response.body());
      } catch (Exception e) {
        body = Json.object().put("raw", response.body());
      }
      return new Reply(response.statusCode(), body);
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
