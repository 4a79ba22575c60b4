package io.hubspoke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.model.TaskMessage;
import io.hubspoke.hub.HubHandler;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.LocalLambdaContext;
import io.hubspoke.local.emulator.StreamSqsFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The six scenarios of {@code hubspoke bench}. Each returns its report as a JSON object. */
public final class Scenarios {
  /**
   * Every scenario, in the order they run whatever order they are asked in: {@code init} first, so
   * that cold starts are measured on a machine the other scenarios have not just loaded (as a
   * Lambda sandbox starts on a host that runs nothing else of the function's).
   */
  public static final List<String> ALL =
      List.of("init", "makespan", "dispatch", "cost", "throughput", "modes", "big");

  /** What {@code hubspoke bench} runs without arguments: all but the long {@code big}. */
  public static final List<String> DEFAULT =
      List.of("init", "makespan", "dispatch", "cost", "throughput");

  private final BenchConfig config;
  private final RepoFiles repo;

  public Scenarios(BenchConfig config, RepoFiles repo) {
    this.config = config;
    this.repo = repo;
  }

  public ObjectNode run(String name) throws Exception {
    return switch (name) {
      case "makespan" -> makespan();
      case "dispatch" -> dispatch();
      case "cost" -> cost();
      case "init" -> init();
      case "throughput" -> throughput();
      case "big" -> big();
      case "modes" -> new ModesBench(config, repo).run();
      default -> throw new IllegalArgumentException("unknown scenario " + name);
    };
  }

  private static void target(ObjectNode report, String target, boolean met) {
    report.put("target", target);
    report.put("meetsTarget", met);
  }

  /** A small run first, so that class loading and JIT are not counted against the figures. */
  private void warmUp(LocalRuntime runtime) throws Exception {
    String runId = Bench.submit(runtime, Bench.sleepRequest(config.warmupTasks(), 0));
    Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(2));
    runtime.spokes().awaitQuiescent(Duration.ofSeconds(30));
    // The collector returns after publishing RunCompleted: let it finish before counting anew.
    runtime.bus().awaitIdle(Duration.ofSeconds(30));
  }

  // ---- makespan -----------------------------------------------------------------------------

  ObjectNode makespan() throws Exception {
    int n = config.makespanTasks();
    int c = config.makespanConcurrency();
    int sleepMs = config.makespanSleepMs();
    RequestCounter counter = new RequestCounter();
    LocalOptions options =
        Bench.options()
            .maximumConcurrency(c)
            .batchSize(config.makespanBatchSize())
            .interceptor(counter)
            .eventSourceInterceptor(counter)
            .build();
    try (LocalRuntime runtime = LocalRuntime.start(options)) {
      warmUp(runtime);
      counter.reset();
      long t0 = System.nanoTime();
      String runId = Bench.submit(runtime, Bench.sleepRequest(n, sleepMs));
      long submitted = System.nanoTime();
      JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(30));
      long t1 = System.nanoTime();
      double makespan = Bench.seconds(t1 - t0);
      double ideal = Math.ceil((double) n / c) * sleepMs / 1000.0;
      ObjectNode r = Json.object();
      r.put("tasks", n);
      r.put("sleepMs", sleepMs);
      r.put("concurrency", c);
      r.put("batchSize", config.makespanBatchSize());
      r.put("makespanSeconds", makespan);
      r.put("idealSeconds", Bench.round(ideal, 2));
      r.put("ratio", Bench.round(makespan / ideal, 3));
      r.put("sequentialSeconds", Bench.round(n * sleepMs / 1000.0, 1));
      r.put("dispatchSeconds", Bench.seconds(submitted - t0));
      r.put("succeeded", done.path("succeeded").asInt());
      r.put("failed", done.path("failed").asInt());
      r.put("peakInFlight", runtime.spokes().stats().peakInFlight());
      Map<String, RequestCounter.Tally> tallies = counter.snapshot();
      r.put(
          "requestsPerTask",
          Bench.round(
              tallies.values().stream().mapToLong(RequestCounter.Tally::attempts).sum()
                  / (double) n,
              2));
      ObjectNode latency = r.putObject("meanMsPerCall");
      for (String op :
          List.of(
              "Sqs.ReceiveMessage",
              "Sqs.DeleteMessageBatch",
              "DynamoDb.UpdateItem",
              "DynamoDb.BatchWriteItem")) {
        if (tallies.containsKey(op)) {
          latency.put(op, Bench.round(tallies.get(op).meanMillis(), 1));
        }
      }
      target(r, "ratio <= 1.25", makespan / ideal <= 1.25);
      return r;
    }
  }

  // ---- dispatch -----------------------------------------------------------------------------

  ObjectNode dispatch() throws Exception {
    int n = config.dispatchItems();
    try (Bench.Engines engines = new Bench.Engines()) {
      RequestCounter counter = new RequestCounter();
      try (AwsClients clients = AwsClients.fromEnvironment(engines.environment, List.of(counter))) {
        HubHandler hub = new HubHandler(engines.environment, clients, Clock.systemUTC());
        int warm = Math.min(n, 250);
        invokeHub(hub, Bench.sleepRequest(warm, 0));
        naive(clients, engines.environment, warm);

        drainDispatch(hub, engines);
        counter.reset();
        long t0 = System.nanoTime();
        JsonNode created = invokeHub(hub, Bench.sleepRequest(n, 0));
        long accepted = System.nanoTime();
        if (created.path("total").asInt() != n) {
          throw new IllegalStateException("the hub did not accept the run: " + created);
        }
        drainDispatch(hub, engines);
        long t1 = System.nanoTime();
        Map<String, RequestCounter.Tally> hubRequests = counter.snapshot();
        int hubPeak = counter.peakInFlight();

        counter.reset();
        long t2 = System.nanoTime();
        naive(clients, engines.environment, n);
        long t3 = System.nanoTime();
        Map<String, RequestCounter.Tally> naiveRequests = counter.snapshot();
        int naivePeak = counter.peakInFlight();

        long hubAttempts =
            hubRequests.values().stream().mapToLong(RequestCounter.Tally::attempts).sum();
        long naiveAttempts =
            naiveRequests.values().stream().mapToLong(RequestCounter.Tally::attempts).sum();
        double batched = (t1 - t0) / 1e9;
        double naive = (t3 - t2) / 1e9;
        ObjectNode r = Json.object();
        r.put("items", n);
        r.put("acceptedSeconds", Bench.round((accepted - t0) / 1e9, 2));
        r.put("batchedSeconds", Bench.round(batched, 2));
        r.put("naiveSeconds", Bench.round(naive, 2));
        r.put("speedup", Bench.round(naive / batched, 1));
        r.put("hubRequests", hubAttempts);
        r.put("hubRequestsPerItem", Bench.round((double) hubAttempts / n, 4));
        r.put("naiveRequestsPerItem", Bench.round((double) naiveAttempts / n, 4));
        r.put("hubParallelism", DISPATCHERS);
        r.put("naiveParallelism", DISPATCHERS);
        r.put("hubPeakRequestsInFlight", hubPeak);
        r.put("naivePeakRequestsInFlight", naivePeak);
        r.set("hubRequestsByOperation", callsByOperation(hubRequests, n));
        target(
            r,
            // Per chunk of 50: its share of the accepting BatchWriteItem and SendMessageBatch, then
            // claim, 2 BatchWriteItem, 5 SendMessageBatch, the run's chunk set, the chunk's DONE:
            // 10.14 requests, 0.203 per item.
            "speedup >= 10 and hubRequestsPerItem <= 0.21",
            naive / batched >= 10 && (double) hubAttempts / n <= 0.21);
        return r;
      }
    }
  }

  /**
   * Delivers the dispatch queue to the hub as its event source mapping would (batches of {@link
   * LocalOptions#DISPATCH_BATCH_SIZE}, {@link #DISPATCHERS} invocations at once) until it is empty.
   * Receives and deletes are the mapping's, not the hub's: they are not counted (the counter sits
   * on the hub's clients only).
   */
  private static void drainDispatch(HubHandler hub, Bench.Engines engines) throws Exception {
    StreamSqsFunction function = new StreamSqsFunction(hub);
    String queueUrl = engines.dispatchQueues.queueUrl();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(DISPATCHERS);
    try {
      List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
      for (int w = 0; w < DISPATCHERS; w++) {
        workers.add(
            pool.submit(
                () -> {
                  while (true) {
                    var messages =
                        engines
                            .admin
                            .sqs()
                            .receiveMessage(
                                b ->
                                    b.queueUrl(queueUrl)
                                        .maxNumberOfMessages(LocalOptions.DISPATCH_BATCH_SIZE)
                                        .waitTimeSeconds(0))
                            .messages();
                    if (messages.isEmpty()) {
                      return null;
                    }
                    var event = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
                    List<com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage> records =
                        new java.util.ArrayList<>();
                    for (var m : messages) {
                      var record =
                          new com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage();
                      record.setMessageId(m.messageId());
                      record.setReceiptHandle(m.receiptHandle());
                      record.setBody(m.body());
                      record.setEventSource("aws:sqs");
                      records.add(record);
                    }
                    event.setRecords(records);
                    var failures =
                        function
                            .handleRequest(
                                event,
                                LocalLambdaContext.builder()
                                    .functionName("hubspoke-hub")
                                    .timeout(Duration.ofSeconds(30))
                                    .build())
                            .getBatchItemFailures();
                    if (!failures.isEmpty()) {
                      throw new IllegalStateException("dispatch failed: " + failures);
                    }
                    for (var m : messages) {
                      engines
                          .admin
                          .sqs()
                          .deleteMessage(
                              b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                    }
                  }
                }));
      }
      for (var worker : workers) {
        worker.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Concurrent hub invocations from the dispatch queue, as the CDK stack's mapping allows. */
  public static final int DISPATCHERS = LocalOptions.DEFAULT_DISPATCH_CONCURRENCY;

  private static JsonNode invokeHub(HubHandler hub, String request) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    hub.handleRequest(
        new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)),
        out,
        LocalLambdaContext.builder()
            .functionName("hubspoke-hub")
            .timeout(Duration.ofSeconds(30))
            .build());
    return Json.parse(out.toString(StandardCharsets.UTF_8));
  }

  /**
   * The baseline a user would write without batching: for each item, one PutItem of a task item as
   * the hub writes it and one SendMessage, with the same clients and the hub's parallelism ({@link
   * #DISPATCHERS} workers taking the next item), so that the speedup measures batching alone, not
   * threads.
   */
  private static void naive(AwsClients clients, HubspokeEnvironment env, int n)
      throws InterruptedException {
    String table = env.required(HubspokeEnvironment.TABLE_NAME);
    String queueUrl = env.required(HubspokeEnvironment.QUEUE_URL);
    String runId = "naive-" + UUID.randomUUID();
    long now = System.currentTimeMillis();
    AtomicInteger next = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(DISPATCHERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < DISPATCHERS; w++) {
        done.add(
            workers.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    Map<String, AttributeValue> item = new HashMap<>();
                    item.put("pk", AttributeValue.fromS("RUN#" + runId + "#S0"));
                    item.put("sk", AttributeValue.fromS(String.format("T#%08d", i)));
                    item.put("runId", AttributeValue.fromS(runId));
                    item.put("idx", AttributeValue.fromN(Integer.toString(i)));
                    item.put("status", AttributeValue.fromS("PENDING"));
                    item.put("attempt", AttributeValue.fromN("0"));
                    item.put("version", AttributeValue.fromN("0"));
                    item.put("item", AttributeValue.fromS(Integer.toString(i)));
                    item.put("createdAt", AttributeValue.fromN(Long.toString(now)));
                    clients.dynamoDb().putItem(b -> b.tableName(table).item(item));
                    String body = new TaskMessage(runId, i).toJson();
                    clients.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
                  }
                }));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("the baseline's dispatch failed", e.getCause());
        }
      }
    } finally {
      workers.shutdownNow();
    }
  }

  private static ObjectNode callsByOperation(Map<String, RequestCounter.Tally> tallies, int n) {
    ObjectNode out = Json.object();
    tallies.forEach(
        (op, t) -> {
          ObjectNode o = out.putObject(op);
          o.put("requests", t.attempts());
          o.put("perTask", Bench.round((double) t.attempts() / n, 4));
          o.put("meanMs", Bench.round(t.meanMillis(), 1));
          if (t.writeUnits() > 0) {
            o.put("writeUnits", Bench.round(t.writeUnits(), 1));
          }
          if (t.readUnits() > 0) {
            o.put("readUnits", Bench.round(t.readUnits(), 1));
          }
          if (t.failed() > 0) {
            o.put("failed", t.failed());
          }
        });
    return out;
  }

  // ---- cost ---------------------------------------------------------------------------------

  ObjectNode cost() throws Exception {
    int n = config.costTasks();
    Prices prices = Prices.read(repo.costModel());
    RequestCounter counter = new RequestCounter();
    LocalOptions options =
        Bench.options()
            .maximumConcurrency(config.costConcurrency())
            .interceptor(counter)
            .eventSourceInterceptor(counter)
            .build();
    try (LocalRuntime runtime = LocalRuntime.start(options)) {
      warmUp(runtime);
      FunctionUsage before = FunctionUsage.of(runtime);
      long deletedBefore = runtime.spokes().stats().messagesDeleted();
      counter.reset();
      String runId = Bench.submit(runtime, Bench.sleepRequest(n, 0));
      JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(30));
      // Until every message is deleted and the collector has returned; waiting on counters only,
      // since a queue-attributes poll would itself be counted.
      runtime
          .spokes()
          .awaitStats(s -> s.messagesDeleted() >= deletedBefore + n, Duration.ofSeconds(60));
      runtime.bus().awaitIdle(Duration.ofSeconds(30));
      Map<String, RequestCounter.Tally> tallies = counter.snapshot();
      FunctionUsage usage = FunctionUsage.of(runtime).minus(before);
      if (done.path("succeeded").asInt() != n) {
        throw new IllegalStateException("the cost run did not succeed entirely: " + done);
      }

      Bill bill = Bill.of(tallies, usage, 0, repo, prices);
      int hubMb = repo.memoryMb("hub");
      int spokeMb = repo.memoryMb("spoke");
      int collectorMb = repo.memoryMb("collector");
      double total = bill.totalUsd();
      double perMillion = 1e6 / n;
      double transitions = prices.get(Prices.DMAP_TRANSITIONS_PER_ITEM).usd().doubleValue();
      double dmap = 1e6 * transitions * prices.unit(Prices.SFN_TRANSITION);
      int batchSize = runtime.options().batchSize();
      double meanSpokeMs = usage.spoke() == 0 ? 0 : (double) usage.spokeMs() / usage.spoke();

      ObjectNode r = Json.object();
      r.put("tasks", n);
      r.put("worker", "sleep 0 ms");
      r.put("concurrency", config.costConcurrency());
      r.put("requestsPerTask", Bench.round((double) bill.requests() / n, 3));
      r.set("requestsByOperation", callsByOperation(tallies, n));
      r.put("dynamodbWriteUnitsPerTask", Bench.round(bill.writeUnits() / n, 3));
      r.put("dynamodbReadUnitsPerTask", Bench.round(bill.readUnits() / n, 3));
      r.put("sqsBilledRequestsPerTask", Bench.round((double) bill.sqsRequests() / n, 3));
      r.put("eventBridgeEventsPerTask", Bench.round((double) bill.events() / n, 4));
      ObjectNode lambda = r.putObject("lambda");
      lambda.put("hubInvocations", usage.hub());
      lambda.put("spokeInvocations", usage.spoke());
      lambda.put("collectorInvocations", usage.collector());
      lambda.put("hubBilledMs", usage.hubMs());
      lambda.put("spokeBilledMs", usage.spokeMs());
      lambda.put("collectorBilledMs", usage.collectorMs());
      lambda.put("memoryMb", hubMb + "/" + spokeMb + "/" + collectorMb);
      lambda.put("gbSeconds", Bench.round(bill.gbSeconds(), 3));
      lambda.put("gbSecondsPerTask", Bench.round(bill.gbSeconds() / n, 6));
      ObjectNode usd = r.putObject("usdPerMillionTasksByService");
      usd.put("dynamodb", Bench.round(bill.dynamoUsd() * perMillion, 3));
      usd.put("sqs", Bench.round(bill.sqsUsd() * perMillion, 3));
      usd.put("lambdaRequests", Bench.round(bill.lambdaRequestsUsd() * perMillion, 3));
      usd.put("lambdaDuration", Bench.round(bill.lambdaDurationUsd() * perMillion, 3));
      usd.put("eventBridge", Bench.round(bill.eventsUsd() * perMillion, 4));
      r.put("usdPerMillionTasks", Bench.round(total * perMillion, 2));
      r.put("dmapTransitionsPerItem", transitions);
      r.put("dmapUsdPerMillion", Bench.round(dmap, 2));
      r.set("dmapStandardBatched", dmapStandardBatched(prices, transitions, batchSize));
      r.set("dmapExpressBatched", dmapExpressBatched(prices, batchSize, meanSpokeMs));
      r.put("prices", repo.root().relativize(prices.file()).toString());
      target(r, "usdPerMillionTasks <= 3", total * perMillion <= 3);
      return r;
    }
  }

  /**
   * Distributed Map with Standard child workflows and an ItemBatcher of {@code batchSize}: each
   * child (start + its Task state: the same transitions as an unbatched child) takes a batch.
   */
  static ObjectNode dmapStandardBatched(Prices prices, double transitionsPerChild, int batchSize) {
    double perItem = transitionsPerChild / batchSize;
    ObjectNode o = Json.object();
    o.put("batchSize", batchSize);
    o.put("transitionsPerItem", Bench.round(perItem, 4));
    o.put("usdPerMillion", Bench.round(1e6 * perItem * prices.unit(Prices.SFN_TRANSITION), 3));
    return o;
  }

  /**
   * Distributed Map with Express child workflows and an ItemBatcher of {@code batchSize}: a child
   * per batch, billed one request and its duration (rounded up to 100 ms, at least 100 ms) times
   * its memory (in 64 MB steps). The child waits for its Task's Lambda, taken to run a batch as
   * long as a spoke invocation did in this run ({@code childMs}).
   */
  static ObjectNode dmapExpressBatched(Prices prices, int batchSize, double childMs) {
    long children = (long) Math.ceil(1e6 / batchSize);
    int step = prices.get(Prices.DMAP_EXPRESS_MIN_BILLED_MS).usd().intValue();
    long billedMs = Math.max(step, (long) Math.ceil(childMs / step) * step);
    int billedMb = prices.get(Prices.DMAP_EXPRESS_BILLED_MB).usd().intValue();
    double gbSeconds = children * billedMs / 1000.0 * billedMb / 1024.0;
    double requestsUsd = children * prices.unit(Prices.SFN_EXPRESS_REQUEST);
    double durationUsd = gbSeconds * prices.unit(Prices.SFN_EXPRESS_GB_SECOND);
    ObjectNode o = Json.object();
    o.put("batchSize", batchSize);
    o.put("childExecutionsPerMillion", children);
    o.put("childMsMeasured", Bench.round(childMs, 1));
    o.put("billedMsPerChild", billedMs);
    o.put("billedMbPerChild", billedMb);
    o.put("requestsUsdPerMillion", Bench.round(requestsUsd, 4));
    o.put("gbSecondsPerMillion", Bench.round(gbSeconds, 3));
    o.put("durationUsdPerMillion", Bench.round(durationUsd, 4));
    o.put("usdPerMillion", Bench.round(requestsUsd + durationUsd, 3));
    return o;
  }

  /** Lambda invocations and billed milliseconds so far, by function. */
  // ---- init ---------------------------------------------------------------------------------

  /**
   * A function's jar at most, in MB of 10^6 bytes: Lambda's own limit is 50 MB zipped, this is
   * ours, for the cold start (ShadedJarsIT holds the jars to it too).
   */
  static final int MAX_JAR_MB = 15;

  static final Map<String, String> HANDLERS =
      Map.of(
          "hub", "io.hubspoke.hub.HubHandler",
          "spoke", "io.hubspoke.spoke.SpokeHandler",
          "collector", "io.hubspoke.collector.CollectorHandler");

  ObjectNode init() throws Exception {
    Map<String, Path> jars = new HashMap<>();
    for (String f : List.of("hub", "spoke", "collector")) {
      jars.put(f, repo.lambdaJar(f));
    }
    Path work = Files.createTempDirectory("hubspoke-bench-init");
    try (Bench.Engines engines = new Bench.Engines();
        AwsClients dispatcherClients = AwsClients.fromEnvironment(engines.environment)) {
      // The chunk the hub accepted is dispatched in this JVM: only first invocations are measured.
      HubHandler dispatcher =
          new HubHandler(engines.environment, dispatcherClients, Clock.systemUTC());
      Path probe = Bench.probeClasses(work.resolve("probe"));
      Map<String, Path> code = new HashMap<>();
      for (String f : List.of("hub", "spoke", "collector")) {
        code.put(f, Bench.explode(jars.get(f), work.resolve("task-" + f)));
      }
      Map<String, String> env = Bench.childEnvironment(engines.environment);
      Map<String, List<JsonNode>> samples = new HashMap<>();
      double loadAtStart = 0;
      double settledSeconds = 0;
      // Round -1 warms the engines (their own first requests are slow; AWS's are not) and is
      // discarded; then the machine is left to settle before the measured rounds.
      for (int rep = -1; rep < config.initRepeats(); rep++) {
        if (rep == 0) {
          long settleStart = System.nanoTime();
          loadAtStart = Bench.awaitQuietMachine(Duration.ofSeconds(config.initSettleSeconds()));
          settledSeconds = Bench.seconds(System.nanoTime() - settleStart);
        }
        // hub: a direct run request of one item (accepted; its chunk is then dispatched here);
        // spoke: that task's message; collector: its RunDrained event (the engines' bus has no
        // rule, so the run waits for this collector).
        Path hubEvent = work.resolve("hub-" + (rep + 1) + ".json");
        Files.writeString(hubEvent, Bench.sleepRequest(1, 0));
        JsonNode hub = probe(code.get("hub"), probe, env, "hub", hubEvent, 30_000);
        String runId = Json.parse(hub.get("response").asText()).path("runId").asText();
        if (runId.isEmpty()) {
          throw new IllegalStateException("the hub did not create a run: " + hub);
        }
        drainDispatch(dispatcher, engines);
        Path spokeEvent = work.resolve("spoke-" + (rep + 1) + ".json");
        Files.writeString(spokeEvent, new TaskMessage(runId, 0).toJson());
        JsonNode spoke = probe(code.get("spoke"), probe, env, "spoke", spokeEvent, 60_000);
        Path collectorEvent = work.resolve("collector-" + (rep + 1) + ".json");
        Files.writeString(collectorEvent, runDrainedEvent(runId));
        JsonNode collector =
            probe(code.get("collector"), probe, env, "collector", collectorEvent, 300_000);
        if (rep < 0) {
          continue;
        }
        samples.computeIfAbsent("hub", k -> new ArrayList<>()).add(hub);
        samples.computeIfAbsent("spoke", k -> new ArrayList<>()).add(spoke);
        samples.computeIfAbsent("collector", k -> new ArrayList<>()).add(collector);
      }
      ObjectNode r = Json.object();
      r.put("repeats", config.initRepeats());
      r.put("jvmFlags", String.join(" ", Bench.CHILD_JVM_FLAGS));
      r.put("classPath", "each jar unpacked into a directory, as Lambda unpacks it into /var/task");
      r.put("warmupRounds", "1, discarded: it warms the local engines, not the functions");
      r.put(
          "settle",
          "waited "
              + settledSeconds
              + " s (at most "
              + config.initSettleSeconds()
              + ") for the 1-minute load to fall to half the cores; it was "
              + Bench.round(loadAtStart, 1));
      boolean met = true;
      for (String f : List.of("hub", "spoke", "collector")) {
        JsonNode median = median(samples.get(f));
        double jarMb = Files.size(jars.get(f)) / 1e6;
        ObjectNode o = r.putObject(f);
        double initMs =
            median.get("loadMs").asDouble()
                + median.get("constructMs").asDouble()
                + median.get("invokeMs").asDouble();
        o.put("initMs", Math.round(initMs));
        o.put("loadMs", Math.round(median.get("loadMs").asDouble()));
        o.put("constructMs", Math.round(median.get("constructMs").asDouble()));
        o.put("firstInvokeMs", Math.round(median.get("invokeMs").asDouble()));
        o.put("jvmStartMs", median.get("jvmToMainMs").asLong());
        o.put("processMs", median.get("processMs").asLong());
        o.put("jarMb", Bench.round(jarMb, 2));
        o.put("jar", repo.root().relativize(jars.get(f)).toString());
        o.put("response", median.get("response").asText());
        met &= initMs <= 1000 && jarMb <= MAX_JAR_MB;
      }
      target(r, "initMs <= 1000 and jarMb <= " + MAX_JAR_MB + " for each function", met);
      return r;
    } finally {
      Bench.deleteTree(work);
    }
  }

  private static JsonNode probe(
      Path code, Path probe, Map<String, String> env, String function, Path event, int timeoutMs)
      throws Exception {
    Bench.ChildResult result =
        Bench.runProbe(
            code,
            probe,
            env,
            Duration.ofMinutes(2),
            "init",
            HANDLERS.get(function),
            event.toString(),
            Integer.toString(timeoutMs));
    if (result.lines().isEmpty()) {
      throw new IllegalStateException(
          "the " + function + " probe printed nothing: " + Bench.tail(result.stderr(), 2000));
    }
    ObjectNode line = (ObjectNode) result.lines().get(0);
    line.put("processMs", result.wallMs());
    return line;
  }

  /** The sample with the median init time. */
  private static JsonNode median(List<JsonNode> samples) {
    List<JsonNode> sorted = new ArrayList<>(samples);
    sorted.sort(
        java.util.Comparator.comparingDouble(
            s ->
                s.get("loadMs").asDouble()
                    + s.get("constructMs").asDouble()
                    + s.get("invokeMs").asDouble()));
    return sorted.get(sorted.size() / 2);
  }

  static String runDrainedEvent(String runId) {
    ObjectNode event = Json.object();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "RunDrained");
    event.put("source", "hubspoke");
    event.put("account", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    event.put("time", Instant.now().toString());
    event.put("region", "us-east-1");
    event.putArray("resources");
    event.putObject("detail").put("runId", runId);
    return Json.write(event);
  }

  // ---- throughput ---------------------------------------------------------------------------

  ObjectNode throughput() throws Exception {
    int n = config.throughputTasks();
    ObjectNode r = Json.object();
    r.put("tasks", n);
    r.put("worker", "sleep 0 ms");
    r.put("batchSize", 10);
    ArrayNode levels = r.putArray("levels");
    double best = 0;
    int bestAt = 0;
    for (int c : config.throughputConcurrency()) {
      RequestCounter counter = new RequestCounter();
      LocalOptions options =
          Bench.options()
              .maximumConcurrency(c)
              .interceptor(counter)
              .eventSourceInterceptor(counter)
              .build();
      try (LocalRuntime runtime = LocalRuntime.start(options)) {
        warmUp(runtime);
        long spokeMsBefore = runtime.spokes().stats().billedMillis();
        counter.reset();
        long t0 = System.nanoTime();
        String runId = Bench.submit(runtime, Bench.sleepRequest(n, 0));
        JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(30));
        long t1 = System.nanoTime();
        long requests =
            counter.snapshot().values().stream().mapToLong(RequestCounter.Tally::attempts).sum();
        double seconds = (t1 - t0) / 1e9;
        ObjectNode level = levels.addObject();
        level.put("concurrency", c);
        level.put("seconds", Bench.round(seconds, 2));
        level.put("tasksPerSecond", Bench.round(n / seconds, 1));
        level.put("msPerTask", Bench.round(seconds * 1000 / n, 2));
        level.put(
            "spokeBilledMsPerTask",
            Bench.round((double) (runtime.spokes().stats().billedMillis() - spokeMsBefore) / n, 2));
        level.put("requestsPerTask", Bench.round((double) requests / n, 2));
        level.put("peakInFlight", runtime.spokes().stats().peakInFlight());
        level.put("succeeded", done.path("succeeded").asInt());
        if (n / seconds > best) {
          best = n / seconds;
          bestAt = c;
        }
      }
    }
    r.put("bestTasksPerSecond", Bench.round(best, 1));
    r.put("bestAtConcurrency", bestAt);
    r.put(
        "note",
        "concurrency 1 is below the SQS event source mapping's minimum maximum concurrency (2), "
            + "which the local poller enforces as Lambda does");
    return r;
  }

  // ---- big ----------------------------------------------------------------------------------

  ObjectNode big() throws Exception {
    int perRun = config.bigItemsPerRun();
    int runs = (int) Math.ceil((double) config.bigTasks() / perRun);
    int total = runs * perRun;
    Path jar = repo.lambdaJar("hub");
    Path work = Files.createTempDirectory("hubspoke-bench-big");
    LocalOptions options = Bench.options().maximumConcurrency(config.bigConcurrency()).build();
    try (LocalRuntime runtime = LocalRuntime.start(options)) {
      Path probe = Bench.probeClasses(work.resolve("probe"));
      Path request = work.resolve("request.json");
      Files.writeString(request, Bench.sleepRequest(perRun, 0));
      long t0 = System.nanoTime();
      // The hub in its own JVM (a warm Lambda instance taking the runs one after the other), so
      // that its heap is not mixed with the engines' and the spokes'.
      Bench.ChildResult hub =
          Bench.runProbe(
              jar,
              probe,
              Bench.childEnvironment(runtime.environment()),
              Duration.ofMinutes(30),
              "dispatch",
              request.toString(),
              Integer.toString(runs),
              "30000");
      long dispatched = System.nanoTime();
      if (hub.lines().size() != runs) {
        throw new IllegalStateException(
            "the hub probe reported "
                + hub.lines().size()
                + " of "
                + runs
                + " runs: "
                + Bench.tail(hub.stderr(), 2000));
      }
      List<String> runIds = new ArrayList<>();
      JsonNode first = hub.lines().get(0);
      double allPeak = 0;
      double allLive = 0;
      double allRetained = 0;
      double dispatchMs = 0;
      int peakThreads = 0;
      for (JsonNode line : hub.lines()) {
        JsonNode response = Json.parse(line.get("response").asText());
        if (response.path("total").asInt() != perRun) {
          throw new IllegalStateException("the hub refused a run: " + response);
        }
        runIds.add(response.get("runId").asText());
        allPeak = Math.max(allPeak, line.get("peakHeapUsedMb").asDouble());
        allLive = Math.max(allLive, line.get("peakLiveHeapMb").asDouble());
        allRetained = Math.max(allRetained, line.get("retainedHeapMb").asDouble());
        dispatchMs += line.get("dispatchMs").asDouble();
        peakThreads = Math.max(peakThreads, line.get("peakThreads").asInt());
      }
      long succeeded = 0;
      long failed = 0;
      for (String runId : runIds) {
        JsonNode done = Bench.awaitCompleted(runtime, runId, Duration.ofMinutes(60));
        succeeded += done.path("succeeded").asLong();
        failed += done.path("failed").asLong();
      }
      long t1 = System.nanoTime();
      ObjectNode r = Json.object();
      r.put("tasks", total);
      r.put("runs", runs);
      r.put("itemsPerRun", perRun);
      r.put("concurrency", config.bigConcurrency());
      r.put("durationSeconds", Bench.seconds(t1 - t0));
      r.put("dispatchSeconds", Bench.round(dispatchMs / 1000, 2));
      r.put("hubJvmSeconds", Bench.seconds(dispatched - t0));
      r.put("tasksPerSecond", Bench.round(total / ((t1 - t0) / 1e9), 1));
      r.put("succeeded", succeeded);
      r.put("failed", failed);
      r.put("exactCounts", succeeded == total && failed == 0);
      double firstLive = first.get("peakLiveHeapMb").asDouble();
      double firstRetained = first.get("retainedHeapMb").asDouble();
      r.put("hubPeakHeapUsedMbFirstRun", first.get("peakHeapUsedMb").asDouble());
      r.put("hubPeakHeapUsedMbAllRuns", Bench.round(allPeak, 1));
      r.put("hubPeakLiveHeapMbFirstRun", firstLive);
      r.put("hubPeakLiveHeapMbAllRuns", Bench.round(allLive, 1));
      r.put("hubRetainedHeapMbFirstRun", firstRetained);
      r.put("hubRetainedHeapMbAllRuns", Bench.round(allRetained, 1));
      // Live heap (after collections) is what grows if the hub keeps something per item or run;
      // "used" also counts garbage not yet collected. 8 MB absorbs a collection's timing.
      boolean flat = allLive <= 1.25 * firstLive + 8 && allRetained <= 1.25 * firstRetained + 8;
      r.put("heapGrowth", Bench.round(allLive / Math.max(1, firstLive), 2));
      r.put("hubPeakThreads", peakThreads);
      r.put(
          "note",
          "the hub takes at most "
              + io.hubspoke.contract.api.Limits.MAX_ITEMS
              + " items per request: "
              + total
              + " tasks are "
              + runs
              + " runs submitted one after the other to one hub JVM (-Xmx768m, serial GC)");
      target(
          r,
          "exact counts; the hub's live and retained heap over all runs <= 1.25 x the first run's"
              + " (+ 8 MB)",
          succeeded == total && failed == 0 && flat);
      return r;
    } finally {
      Bench.deleteTree(work);
    }
  }
}
