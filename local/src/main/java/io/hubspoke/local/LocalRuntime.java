package io.hubspoke.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.collector.CollectorHandler;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.engines.DynamoDbLocalEngine;
import io.hubspoke.engines.ElasticMqEngine;
import io.hubspoke.engines.LocalTables;
import io.hubspoke.hub.HubHandler;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.InputTransformer;
import io.hubspoke.local.emulator.LocalEventBus;
import io.hubspoke.local.emulator.LocalFunction;
import io.hubspoke.local.emulator.LocalHttpApi;
import io.hubspoke.local.emulator.LocalLambdaContext;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.local.emulator.SqsEventSourceConfig;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import io.hubspoke.local.emulator.StreamSqsFunction;
import io.hubspoke.spoke.SpokeHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * hubspoke on one machine: DynamoDB Local, ElasticMQ, a PutEvents endpoint matched with Event Ruler
 * and a Lambda Invoke endpoint hosting the {@code lambda} worker's functions, driving the very
 * handler classes that run in Lambda. Each function gets the environment variables the CDK stack
 * sets, plus the SDK's standard endpoint variables pointing at the local engines, and its own AWS
 * clients, as separate Lambda functions would.
 */
public final class LocalRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalRuntime.class.getName());

  /**
   * The region the local functions and the local HTTP API are in (what a signature is scoped to).
   */
  public static final String REGION = "us-east-1";

  public static final List<String> ROUTES = io.hubspoke.contract.api.HubRoutes.ALL;

  private final LocalOptions options;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private DynamoDbLocalEngine dynamoDb;
  private ElasticMqEngine elasticMq;
  private LocalEventBus bus;
  private LocalLambdaEndpoint lambda;
  private ElasticMqEngine.WorkQueues queues;
  private ElasticMqEngine.WorkQueues dispatchQueues;
  private SqsEventSourcePoller dispatchers;
  private HubspokeEnvironment environment;
  private AwsClients adminClients;
  private SqsEventSourcePoller spokes;
  private LocalHttpApi api;
  private HubHandler hub;
  private CollectorHandler collector;
  private ScheduledExecutorService schedule;
  private AwsClients spokeClients;
  private final Clock clock = Clock.systemUTC();

  /** The spoke's name in the local Lambda endpoint, and the alias the hub pushes to. */
  public static final String SPOKE_FUNCTION_NAME = "hubspoke-spoke";

  public static final String SPOKE_ALIAS = "live";

  private LocalRuntime(LocalOptions options) {
    this.options = options;
  }

  public static LocalRuntime start(LocalOptions options) {
    LocalRuntime runtime = new LocalRuntime(options);
    try {
      runtime.startAll();
      return runtime;
    } catch (RuntimeException | Error e) {
      runtime.close();
      throw e;
    }
  }

  private void startAll() {
    dynamoDb = track(DynamoDbLocalEngine.start());
    elasticMq = track(ElasticMqEngine.start());
    bus =
        track(
            LocalEventBus.builder()
                .busName(LocalOptions.BUS_NAME)
                .region(REGION)
                .interceptor(options.busInterceptor())
                .start());

    // Always up, with or without functions: locally a lambda task can never reach AWS. It hosts
    // the spoke as well, which the hub invokes asynchronously for push runs; the spoke's
    // environment (and so its handlers) exists only once the engines are up, before any run.
    lambda =
        track(
            LocalLambdaEndpoint.builder()
                .region(REGION)
                .functions(options.functions())
                .function(
                    LocalFunction.builder(
                            SPOKE_FUNCTION_NAME,
                            FunctionCode.inProcess(
                                () ->
                                    new SpokeHandler(
                                        environment, spokeClients, clock, options.workers())))
                        .alias(SPOKE_ALIAS)
                        .timeout(options.spokeTimeout())
                        // The same cap as the event source mapping's: push and queue runs get as
                        // many spoke invocations at once.
                        .reservedConcurrency(options.maximumConcurrency())
                        .build())
                .eventInterceptor(options.pushInterceptor())
                .eventRetryDelays(options.eventRetryDelays())
                .onFailure(SPOKE_FUNCTION_NAME, this::sendToDeadLetterQueue)
                .logSink(options.functionLogs())
                .start());

    Map<String, String> baseEnv = new HashMap<>();
    baseEnv.put(HubspokeEnvironment.AWS_REGION, REGION);
    baseEnv.put("AWS_ACCESS_KEY_ID", "local");
    baseEnv.put("AWS_SECRET_ACCESS_KEY", "local");
    baseEnv.put(HubspokeEnvironment.ENDPOINT_DYNAMODB, dynamoDb.endpoint().toString());
    baseEnv.put(HubspokeEnvironment.ENDPOINT_SQS, elasticMq.endpoint().toString());
    baseEnv.put(HubspokeEnvironment.ENDPOINT_EVENTBRIDGE, bus.endpoint().toString());
    baseEnv.put(HubspokeEnvironment.ENDPOINT_LAMBDA, lambda.endpoint().toString());
    adminClients = track(AwsClients.fromEnvironment(new HubspokeEnvironment(baseEnv)));

    LocalTables.create(adminClients.dynamoDb(), LocalOptions.TABLE_NAME);
    queues =
        ElasticMqEngine.createWorkQueues(
            adminClients.sqs(),
            LocalOptions.QUEUE_NAME,
            options.visibilityTimeout(),
            options.maxReceiveCount());

    dispatchQueues =
        ElasticMqEngine.createWorkQueues(
            adminClients.sqs(),
            LocalOptions.DISPATCH_QUEUE_NAME,
            options.dispatchVisibilityTimeout(),
            options.maxReceiveCount());

    Map<String, String> env = new HashMap<>(baseEnv);
    env.put(HubspokeEnvironment.TABLE_NAME, LocalOptions.TABLE_NAME);
    env.put(HubspokeEnvironment.QUEUE_URL, queues.queueUrl());
    env.put(HubspokeEnvironment.DEAD_LETTER_QUEUE_URL, queues.deadLetterQueueUrl());
    env.put(HubspokeEnvironment.EVENT_BUS_NAME, LocalOptions.BUS_NAME);
    env.put(HubspokeEnvironment.WORKER_FUNCTIONS, options.workerFunctions());
    env.put(
        HubspokeEnvironment.SPOKE_FUNCTION,
        "arn:aws:lambda:"
            + REGION
            + ":"
            + LocalLambdaContext.LOCAL_ACCOUNT_ID
            + ":function:"
            + SPOKE_FUNCTION_NAME
            + ":"
            + SPOKE_ALIAS);
    env.put(HubspokeEnvironment.DISPATCH_QUEUE_URL, dispatchQueues.queueUrl());
    env.put(
        HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL, dispatchQueues.deadLetterQueueUrl());
    env.put(
        HubspokeEnvironment.DISPATCH_LEASE_MARGIN_SECONDS,
        Long.toString(options.dispatchLeaseMargin().toSeconds()));
    env.put(
        HubspokeEnvironment.LEASE_GRACE_SECONDS, Long.toString(options.leaseGrace().toSeconds()));
    env.put(
        HubspokeEnvironment.SPOKE_TIMEOUT_SECONDS,
        Long.toString(options.spokeTimeout().toSeconds()));
    env.put(
        HubspokeEnvironment.SUMMARY_LEASE_SECONDS,
        Long.toString(options.summaryLease().toSeconds()));
    env.put(
        HubspokeEnvironment.STALL_MARGIN_SECONDS, Long.toString(options.stallMargin().toSeconds()));
    environment = new HubspokeEnvironment(env);

    hub = new HubHandler(environment, functionClients(), clock, options.workers());
    spokeClients = functionClients();
    collector = new CollectorHandler(environment, functionClients(), clock, options.workers());

    bus.addRule(
        EventRules.RUN_DRAINED_RULE,
        EventRules.RUN_DRAINED_PATTERN,
        eventJson ->
            invoke(collector, "hubspoke-collector", options.collectorTimeout(), eventJson));

    // Hybrid runs: WorkAvailable wakes a spoke, as the stack's rule invokes the spoke function.
    bus.addRule(
        EventRules.WORK_AVAILABLE_RULE,
        EventRules.WORK_AVAILABLE_PATTERN,
        // As EventBridge does: an asynchronous invocation of the spoke's alias.
        eventJson ->
            adminClients
                .lambda()
                .invoke(
                    b ->
                        b.functionName(SPOKE_FUNCTION_NAME + ":" + SPOKE_ALIAS)
                            .invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String(eventJson))));

    spokes =
        track(
            SqsEventSourcePoller.start(
                options.eventSourceInterceptors().isEmpty()
                    ? adminClients.sqs()
                    : track(
                            AwsClients.fromEnvironment(
                                new HubspokeEnvironment(baseEnv),
                                options.eventSourceInterceptors()))
                        .sqs(),
                SqsEventSourceConfig.builder()
                    .queue(queues.queueUrl(), queues.queueArn())
                    .batchSize(options.batchSize())
                    .maximumBatchingWindow(options.batchingWindow())
                    .maximumConcurrency(options.maximumConcurrency())
                    .functionTimeout(options.spokeTimeout())
                    .reportBatchItemFailures(true)
                    .region(REGION)
                    .functionName("hubspoke-spoke")
                    .interceptor(options.pollerInterceptor())
                    .logSink(options.functionLogs())
                    .build(),
                // One spoke handler per execution environment, as Lambda runs them; they share
                // their clients, which are thread-safe.
                () ->
                    options
                        .spokeWrapper()
                        .apply(
                            new SpokeHandler(environment, spokeClients, clock, options.workers())
                                ::handleBatch)));

    // The hub's second trigger: the dispatch queue, one chunk of a submitted run per message.
    dispatchers =
        track(
            SqsEventSourcePoller.start(
                adminClients.sqs(),
                SqsEventSourceConfig.builder()
                    .queue(dispatchQueues.queueUrl(), dispatchQueues.queueArn())
                    .batchSize(LocalOptions.DISPATCH_BATCH_SIZE)
                    .maximumBatchingWindow(Duration.ZERO)
                    .maximumConcurrency(options.dispatchConcurrency())
                    .functionTimeout(options.hubTimeout())
                    .reportBatchItemFailures(true)
                    .region(REGION)
                    .functionName("hubspoke-hub")
                    .logSink(options.functionLogs())
                    .build(),
                new StreamSqsFunction(hub)));

    LocalHttpApi.Builder http =
        LocalHttpApi.builder()
            .port(options.httpPort())
            .handler(hub)
            .functionName("hubspoke-hub")
            .functionTimeout(options.hubTimeout())
            .region(REGION)
            .requireSignature(options.requireSignature())
            .logSink(options.functionLogs());
    // The routes the CDK stack declares on the HTTP API.
    for (String route : ROUTES) {
      http.route(route);
    }
    api = track(http.start());

    if (!options.sweepInterval().isZero()) {
      schedule =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "hubspoke-sweep-schedule");
                t.setDaemon(true);
                return t;
              });
      long every = options.sweepInterval().toMillis();
      schedule.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** The on-failure destination of the spoke's asynchronous invocations: the work DLQ. */
  private void sendToDeadLetterQueue(String record) {
    adminClients
        .sqs()
        .sendMessage(b -> b.queueUrl(queues.deadLetterQueueUrl()).messageBody(record));
  }

  private AwsClients functionClients() {
    return track(AwsClients.fromEnvironment(environment, options.interceptors()));
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Invokes a stream handler as Lambda does: JSON in, JSON out, a context with a deadline. */
  String invoke(
      RequestStreamHandler handler, String functionName, Duration timeout, String eventJson)
      throws IOException {
    Context context =
        LocalLambdaContext.builder()
            .functionName(functionName)
            .timeout(timeout)
            .region(REGION)
            .logSink(options.functionLogs())
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long started = System.nanoTime();
    try {
      handler.handleRequest(
          new ByteArrayInputStream(eventJson.getBytes(StandardCharsets.UTF_8)), out, context);
    } finally {
      invocations
          .computeIfAbsent(functionName, name -> new InvocationCounter())
          .add((System.nanoTime() - started + 999_999) / 1_000_000);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Invocations of a function through {@link #invoke} (the collector, and the hub when invoked
   * directly; the spoke's are in {@link SqsEventSourcePoller#stats()}), with their run time, each
   * rounded up to the millisecond as Lambda bills it.
   */
  public record InvocationStats(long invocations, long billedMillis) {}

  private static final class InvocationCounter {
    private final LongAdder count = new LongAdder();
    private final LongAdder millis = new LongAdder();

    void add(long billed) {
      count.increment();
      millis.add(billed);
    }
  }

  private final Map<String, InvocationCounter> invocations = new ConcurrentHashMap<>();

  /** By function name ({@code hubspoke-hub}, {@code hubspoke-collector}), since start. */
  public Map<String, InvocationStats> invocationStats() {
    Map<String, InvocationStats> stats = new HashMap<>();
    invocations.forEach(
        (name, c) -> stats.put(name, new InvocationStats(c.count.sum(), c.millis.sum())));
    return stats;
  }

  /**
   * Invokes the collector with the event an EventBridge schedule rule sends, as the stack's sweep
   * schedule does.
   */
  public String sweep() throws IOException {
    return sweep(options.collectorTimeout());
  }

  /**
   * The sweep, in a collector invocation that has {@code timeout} to run (its Lambda context's
   * remaining time), e.g. to see it stop early and leave the rest to the next sweep.
   */
  public String sweep(Duration timeout) throws IOException {
    ObjectNode event = Json.object();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "Scheduled Event");
    event.put("source", "aws.events");
    event.put("account", "000000000000");
    event.put("time", Instant.now().toString());
    event.put("region", REGION);
    event.putArray("resources").add("arn:aws:events:us-east-1:000000000000:rule/hubspoke-sweep");
    event.putObject("detail");
    return invoke(collector, "hubspoke-collector", timeout, Json.write(event));
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "scheduled sweep failed", e);
    }
  }

  /**
   * Adds scheduled run {@code name}: a scheduled rule whose target, the hub, receives what {@code
   * input} renders from each firing's event, as the stack's {@code ScheduledRuns} declares it (the
   * target's {@code InputTransformer} of a synthesized template can be given as it is). The local
   * runtime keeps no clock for it: {@link #fireSchedule} fires it.
   */
  public void addScheduledRun(String name, InputTransformer input) {
    bus.addScheduledRule(
        name, input, event -> invoke(hub, "hubspoke-hub", options.hubTimeout(), event));
  }

  /** One firing of scheduled run {@code name} at {@code time}, delivered through the bus. */
  public void fireSchedule(String name, Instant time) {
    bus.fire(name, time);
  }

  /** Invokes the hub directly (not through HTTP), as {@code aws lambda invoke} would. */
  public String invokeHub(String eventJson) throws IOException {
    return invoke(hub, "hubspoke-hub", options.hubTimeout(), eventJson);
  }

  public URI apiEndpoint() {
    return api.endpoint();
  }

  public HubspokeEnvironment environment() {
    return environment;
  }

  /** Clients for inspecting the engines (not the functions' own clients). */
  public AwsClients clients() {
    return adminClients;
  }

  public ElasticMqEngine.WorkQueues queues() {
    return queues;
  }

  /** The hub's dispatch queue and its dead-letter queue. */
  public ElasticMqEngine.WorkQueues dispatchQueues() {
    return dispatchQueues;
  }

  /** The event source mapping that feeds the dispatch queue to the hub. */
  public SqsEventSourcePoller dispatchers() {
    return dispatchers;
  }

  public LocalEventBus bus() {
    return bus;
  }

  /** The Lambda Invoke endpoint hosting the local functions the {@code lambda} worker invokes. */
  public LocalLambdaEndpoint lambda() {
    return lambda;
  }

  public SqsEventSourcePoller spokes() {
    return spokes;
  }

  public LocalOptions options() {
    return options;
  }

  @Override
  public void close() {
    if (schedule != null) {
      schedule.shutdownNow();
    }
    // Stop the producers of work before the engines they call.
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.log(Level.FINE, "closing " + resources.get(i), e);
      }
    }
    resources.clear();
  }
}
