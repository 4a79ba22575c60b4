package io.hubspoke.core.service;

import io.hubspoke.contract.Deployment;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.aws.Backoff;
import io.hubspoke.core.events.EventPublisher;
import io.hubspoke.core.queue.SpokeInvoker;
import io.hubspoke.core.queue.TaskQueue;
import io.hubspoke.core.store.ChunkStore;
import io.hubspoke.core.store.RunSlots;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCounters;
import io.hubspoke.core.store.TaskStore;
import io.hubspoke.core.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The composition root: every function (and the local runtime, through the functions) builds its
 * services here from its environment and its AWS clients, so the wiring exists once.
 */
public final class Hubspoke {
  private final RunStore runs;
  private final TaskStore tasks;
  private final RunSlots slots;
  private final ShardCounters counters;
  private final TaskQueue queue;
  private final ChunkStore chunks;
  private final EventPublisher events;
  private final WorkerRegistry workers;
  private final Clock clock;
  private final HubspokeEnvironment env;
  private final ExecutorService pool;
  private final software.amazon.awssdk.services.sqs.SqsClient sqs;
  private final Backoff backoff;
  private final SpokeInvoker spokes;

  /**
   * Invocations of the spoke tried this many times in all (each with the SDK's own retries inside):
   * a push refused beyond that is left to the sweep rather than hold up a chunk's dispatch.
   */
  static final int PUSH_ATTEMPTS = 3;

  private Hubspoke(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this.env = env;
    this.clock = clock;
    this.workers = workers.boundTo(env, clients::lambda);
    Backoff backoff = Backoff.standard();
    String table = env.required(HubspokeEnvironment.TABLE_NAME);
    this.runs = new RunStore(clients.dynamoDb(), table, clock);
    this.tasks = new TaskStore(clients.dynamoDb(), table, clock, backoff);
    this.slots = new RunSlots(clients.dynamoDb(), table, clock);
    this.counters = new ShardCounters(clients.dynamoDb(), table, clock, backoff);
    this.chunks = new ChunkStore(clients.dynamoDb(), table, clock, backoff);
    this.sqs = clients.sqs();
    this.backoff = backoff;
    this.queue =
        new TaskQueue(
            clients.sqs(),
            env.required(HubspokeEnvironment.QUEUE_URL),
            env.required(HubspokeEnvironment.DEAD_LETTER_QUEUE_URL),
            backoff);
    this.events =
        new EventPublisher(
            clients.eventBridge(), env.required(HubspokeEnvironment.EVENT_BUS_NAME), backoff);
    this.spokes =
        new SpokeInvoker(
            clients::lambda,
            env.optional(HubspokeEnvironment.SPOKE_FUNCTION).orElse(null),
            new Backoff(backoff.base(), backoff.max(), PUSH_ATTEMPTS, backoff.sleeper()));
    this.pool = Executors.newCachedThreadPool(daemonThreads("hubspoke-worker"));
  }

  public static Hubspoke create(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    return new Hubspoke(env, clients, clock, WorkerRegistry.discovered());
  }

  public static Hubspoke create(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    return new Hubspoke(env, clients, clock, workers);
  }

  public RunRequestParser requestParser() {
    long spokeTimeout = env.number(HubspokeEnvironment.SPOKE_TIMEOUT_SECONDS, 0);
    RunRequestParser parser =
        spokeTimeout <= 0
            ? new RunRequestParser(workers)
            : new RunRequestParser(workers, (int) spokeTimeout, (int) leaseGrace().toSeconds());
    // Without the spoke's name the hub could invoke nothing, and a push run would never start.
    return env.optional(HubspokeEnvironment.SPOKE_FUNCTION).isPresent()
        ? parser
        : parser.withoutPush();
  }

  private Duration leaseGrace() {
    return Duration.ofSeconds(
        env.number(
            HubspokeEnvironment.LEASE_GRACE_SECONDS, Deployment.DEFAULT_LEASE_GRACE_SECONDS));
  }

  public RunSubmissionService submission() {
    return new RunSubmissionService(
        runs,
        chunks,
        dispatcher(),
        clock,
        Duration.ofDays(
            env.number(HubspokeEnvironment.RETENTION_DAYS, Deployment.DEFAULT_RETENTION_DAYS)));
  }

  /**
   * The hub's background dispatch. The dispatch queue is read only here, so the spoke, which never
   * dispatches, needs no such variable.
   */
  public RunDispatcher dispatcher() {
    return new RunDispatcher(
        runs,
        chunks,
        tasks,
        taskDispatch(),
        dispatchQueue(),
        completion(),
        events,
        clock,
        dispatchLeaseMargin());
  }

  /**
   * A spoke's claims of a hybrid run's tasks, woken by {@code WorkAvailable}, run by {@code
   * execution} (the spoke's, whose threads it shares).
   */
  public IndexDrain indexDrain(TaskExecutionService execution) {
    return new IndexDrain(
        tasks,
        new RunSpecCache(runs),
        execution,
        clock,
        duration -> Thread.sleep(duration.toMillis()));
  }

  /** Claims, heartbeats and results of pull runs' external workers (the hub's API). */
  public PullWork pullWork() {
    return new PullWork(
        tasks,
        runs,
        new RunSpecCache(runs),
        completion(),
        clock,
        duration -> Thread.sleep(duration.toMillis()));
  }

  /** How due tasks reach their workers, per run. */
  public TaskDispatch taskDispatch() {
    return new TaskDispatch(queue, spokes, events);
  }

  private TaskQueue dispatchQueue() {
    return new TaskQueue(
        sqs,
        env.required(HubspokeEnvironment.DISPATCH_QUEUE_URL),
        env.required(HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL),
        backoff);
  }

  private Duration dispatchLeaseMargin() {
    return Duration.ofSeconds(
        env.number(
            HubspokeEnvironment.DISPATCH_LEASE_MARGIN_SECONDS,
            Deployment.DEFAULT_DISPATCH_LEASE_MARGIN_SECONDS));
  }

  /** The hub's discovery of the items of runs that name a source. */
  public RunDiscovery discovery() {
    return new RunDiscovery(
        runs,
        chunks,
        counters,
        completion(),
        dispatcher(),
        workers::source,
        clock,
        dispatchLeaseMargin());
  }

  /** Cancels runs (the API's DELETE, and the hub's cancel messages). */
  public RunCancellation cancellation() {
    return new RunCancellation(runs, tasks, completion(), dispatcher(), discovery(), events);
  }

  /** Redrives finished runs (the API's POST …/redrive, and the hub's redrive messages). */
  public RunRedrive redrive() {
    return new RunRedrive(runs, tasks, counters, taskDispatch(), dispatchQueue(), events, clock);
  }

  /**
   * What the hub does with each message of its dispatch queue: dispatch a chunk, discover, cancel
   * waiting tasks, or revive a redriven shard's tasks.
   */
  public DispatchQueueConsumer dispatchQueueConsumer() {
    return new DispatchQueueConsumer(
        dispatcher(), discovery(), cancellation(), redrive(), dispatchQueue());
  }

  public RunQueryService queries() {
    return new RunQueryService(runs, tasks, counters);
  }

  public CompletionTracker completion() {
    return new CompletionTracker(counters, runs, events);
  }

  public TaskExecutionService execution() {
    return new TaskExecutionService(
        tasks,
        runs,
        slots,
        new RunSpecCache(runs),
        queue,
        taskDispatch(),
        completion(),
        workers,
        clock,
        // A batch never asks for more message threads (and a second batch at once on the same
        // handler, which Lambda never does, runs what does not fit on its own thread).
        boundedPool(
            "hubspoke-task", SpokeLimits.MAX_BATCH_SIZE, new ThreadPoolExecutor.CallerRunsPolicy()),
        // Full only when workers that ignored their deadline hold the threads: SpokeBusy.
        boundedPool(
            "hubspoke-worker",
            SpokeLimits.MAX_WORKER_THREADS,
            new ThreadPoolExecutor.AbortPolicy()),
        leaseGrace());
  }

  public RunSummarizer summarizer() {
    return new RunSummarizer(
        runs,
        tasks,
        events,
        clock,
        Duration.ofSeconds(
            env.number(
                HubspokeEnvironment.SUMMARY_LEASE_SECONDS,
                Deployment.DEFAULT_SUMMARY_LEASE_SECONDS)));
  }

  public RunSweeper sweeper() {
    return new RunSweeper(
        runs,
        tasks,
        slots,
        counters,
        queue,
        taskDispatch(),
        pullWork(),
        completion(),
        summarizer(),
        dispatcher(),
        discovery(),
        cancellation(),
        redrive(),
        clock,
        Duration.ofSeconds(
            env.number(
                HubspokeEnvironment.STALL_MARGIN_SECONDS,
                Deployment.DEFAULT_STALL_MARGIN_SECONDS)));
  }

  /**
   * At most {@code threads} threads (Lambda allows 1,024 per environment), started when none is
   * idle and ended after a minute idle; a task beyond them goes to {@code whenFull}.
   */
  private static ExecutorService boundedPool(
      String prefix, int threads, RejectedExecutionHandler whenFull) {
    return new ThreadPoolExecutor(
        0, threads, 1, TimeUnit.MINUTES, new SynchronousQueue<>(), daemonThreads(prefix), whenFull);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
