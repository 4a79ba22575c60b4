package io.hubspoke.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.contract.Deployment;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.emulator.LocalEventBus;
import io.hubspoke.local.emulator.LocalFunction;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * How the local runtime is set up. The defaults mirror the CDK stack's (batch size, timeouts,
 * visibility = 6 × spoke timeout, maxReceiveCount); tests shorten the timeouts.
 */
public record LocalOptions(
    int httpPort,
    int batchSize,
    Duration batchingWindow,
    int maximumConcurrency,
    Duration hubTimeout,
    Duration spokeTimeout,
    Duration collectorTimeout,
    int maxReceiveCount,
    Duration leaseGrace,
    Duration summaryLease,
    Duration sweepInterval,
    Duration stallMargin,
    List<ExecutionInterceptor> interceptors,
    SqsEventSourcePoller.InvocationInterceptor pollerInterceptor,
    LocalEventBus.DeliveryInterceptor busInterceptor,
    Consumer<String> functionLogs,
    WorkerRegistry workers,
    Duration visibilityTimeoutOverride,
    UnaryOperator<RequestHandler<SQSEvent, SQSBatchResponse>> spokeWrapper,
    List<ExecutionInterceptor> eventSourceInterceptors,
    Duration dispatchLeaseMargin,
    Duration dispatchVisibilityTimeoutOverride,
    int dispatchConcurrency,
    List<LocalFunction> functions,
    boolean requireSignature,
    LocalLambdaEndpoint.EventInterceptor pushInterceptor,
    List<Duration> eventRetryDelays) {

  /** Rejects settings a spoke cannot run with, as the CDK config does. */
  public LocalOptions {
    if (batchSize < 1 || batchSize > SpokeLimits.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "batch size is "
              + batchSize
              + ": a spoke works on 1 to "
              + SpokeLimits.MAX_BATCH_SIZE
              + " messages at once (two threads each; Lambda allows "
              + SpokeLimits.LAMBDA_THREADS
              + " per environment)");
    }
    int spoke = (int) spokeTimeout.toSeconds();
    int grace = (int) leaseGrace.toSeconds();
    if (spoke - SpokeLimits.commitReserveSeconds(spoke) < Limits.MIN_TASK_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "a spoke timeout of "
              + spoke
              + " s leaves a task no time once "
              + SpokeLimits.commitReserveSeconds(spoke)
              + " s are kept to record the outcome: give the spoke at least 2 s");
    }
    if (SpokeLimits.maxTaskTimeoutSeconds(spoke, grace) < Limits.MIN_TASK_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "a lease grace of "
              + grace
              + " s leaves a task no time: a lease (task timeout + grace) must end within SQS's"
              + " longest delay of "
              + SpokeLimits.MAX_DELAY_SECONDS
              + " s; give at most "
              + (SpokeLimits.MAX_DELAY_SECONDS - 2)
              + " s");
    }
    Duration visibility = visibility(spokeTimeout, batchingWindow, visibilityTimeoutOverride);
    if (visibility.compareTo(spokeTimeout.plus(leaseGrace)) < 0) {
      throw new IllegalArgumentException(
          "a visibility timeout of "
              + visibility.toSeconds()
              + " s ends before a lease can (spoke timeout "
              + spoke
              + " s + lease grace "
              + grace
              + " s): a message would come back while its task is still leased; give at least "
              + spokeTimeout.plus(leaseGrace).toSeconds()
              + " s");
    }
  }

  /**
   * The hub's request parser under these settings: it knows the spoke's timeout and the functions
   * the {@code lambda} worker may invoke (the local ones).
   */
  public RunRequestParser requestParser() {
    HubspokeEnvironment env =
        new HubspokeEnvironment(
            Map.of(
                HubspokeEnvironment.WORKER_FUNCTIONS,
                workerFunctions(),
                HubspokeEnvironment.AWS_REGION,
                LocalRuntime.REGION));
    return new RunRequestParser(
        workers.boundTo(
            env,
            () -> {
              throw new IllegalStateException("validating a request invokes no function");
            }),
        (int) spokeTimeout.toSeconds(),
        (int) leaseGrace.toSeconds());
  }

  /**
   * {@link HubspokeEnvironment#WORKER_FUNCTIONS} of the local functions: each by its name, which
   * allows it under any of its aliases.
   */
  public String workerFunctions() {
    return functions.stream().map(LocalFunction::name).collect(Collectors.joining(","));
  }

  public static final String TABLE_NAME = "hubspoke-local";
  public static final String QUEUE_NAME = "hubspoke-work";
  public static final String DISPATCH_QUEUE_NAME = "hubspoke-dispatch";

  /** Messages per hub invocation from the dispatch queue (chunks of up to 50 tasks each). */
  public static final int DISPATCH_BATCH_SIZE = 5;

  /** Hub invocations from the dispatch queue at once, by default (a 2-core machine's share). */
  public static final int DEFAULT_DISPATCH_CONCURRENCY = 4;

  public static final String BUS_NAME = "hubspoke-local-bus";

  /** SQS visibility timeout, computed as the CDK stack computes it. */
  public Duration visibilityTimeout() {
    return visibility(spokeTimeout, batchingWindow, visibilityTimeoutOverride);
  }

  private static Duration visibility(Duration spokeTimeout, Duration window, Duration override) {
    return override != null
        ? override
        : Duration.ofSeconds(
            Deployment.visibilityTimeoutSeconds(
                (int) spokeTimeout.toSeconds(), (int) window.toSeconds()));
  }

  /** The dispatch queue's visibility timeout: 6 × the hub's timeout, as the CDK stack sets it. */
  public Duration dispatchVisibilityTimeout() {
    return dispatchVisibilityTimeoutOverride != null
        ? dispatchVisibilityTimeoutOverride
        : Duration.ofSeconds(Deployment.visibilityTimeoutSeconds((int) hubTimeout.toSeconds(), 0));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.httpPort = httpPort;
    b.batchSize = batchSize;
    b.batchingWindow = batchingWindow;
    b.maximumConcurrency = maximumConcurrency;
    b.hubTimeout = hubTimeout;
    b.spokeTimeout = spokeTimeout;
    b.collectorTimeout = collectorTimeout;
    b.maxReceiveCount = maxReceiveCount;
    b.leaseGrace = leaseGrace;
    b.summaryLease = summaryLease;
    b.sweepInterval = sweepInterval;
    b.stallMargin = stallMargin;
    b.interceptors = new ArrayList<>(interceptors);
    b.pollerInterceptor = pollerInterceptor;
    b.busInterceptor = busInterceptor;
    b.functionLogs = functionLogs;
    b.workers = workers;
    b.visibilityTimeoutOverride = visibilityTimeoutOverride;
    b.spokeWrapper = spokeWrapper;
    b.eventSourceInterceptors = new ArrayList<>(eventSourceInterceptors);
    b.dispatchLeaseMargin = dispatchLeaseMargin;
    b.dispatchVisibilityTimeoutOverride = dispatchVisibilityTimeoutOverride;
    b.dispatchConcurrency = dispatchConcurrency;
    b.functions = new ArrayList<>(functions);
    b.requireSignature = requireSignature;
    b.pushInterceptor = pushInterceptor;
    b.eventRetryDelays = eventRetryDelays;
    return b;
  }

  public static final class Builder {
    private int httpPort = 0;
    private int batchSize = Deployment.DEFAULT_SPOKE_BATCH_SIZE;
    private Duration batchingWindow = Duration.ZERO;
    private int maximumConcurrency = 10;
    private Duration hubTimeout = Duration.ofSeconds(Deployment.DEFAULT_HUB_TIMEOUT_SECONDS);
    private Duration spokeTimeout = Duration.ofSeconds(Deployment.DEFAULT_SPOKE_TIMEOUT_SECONDS);
    private Duration collectorTimeout =
        Duration.ofSeconds(Deployment.DEFAULT_COLLECTOR_TIMEOUT_SECONDS);
    private int maxReceiveCount = Deployment.DEFAULT_MAX_RECEIVE_COUNT;
    private Duration leaseGrace = Duration.ofSeconds(Deployment.DEFAULT_LEASE_GRACE_SECONDS);
    private Duration summaryLease = Duration.ofSeconds(Deployment.DEFAULT_SUMMARY_LEASE_SECONDS);
    private Duration sweepInterval = Duration.ofSeconds(30);
    private Duration stallMargin = Duration.ofSeconds(Deployment.DEFAULT_STALL_MARGIN_SECONDS);
    private List<ExecutionInterceptor> interceptors = new ArrayList<>();
    private SqsEventSourcePoller.InvocationInterceptor pollerInterceptor =
        SqsEventSourcePoller.InvocationInterceptor.NONE;
    private LocalEventBus.DeliveryInterceptor busInterceptor =
        LocalEventBus.DeliveryInterceptor.NONE;
    private Consumer<String> functionLogs = line -> {};
    private WorkerRegistry workers = WorkerRegistry.builtIn();
    private Duration visibilityTimeoutOverride;
    private UnaryOperator<RequestHandler<SQSEvent, SQSBatchResponse>> spokeWrapper =
        UnaryOperator.identity();
    private List<ExecutionInterceptor> eventSourceInterceptors = new ArrayList<>();
    private Duration dispatchLeaseMargin =
        Duration.ofSeconds(Deployment.DEFAULT_DISPATCH_LEASE_MARGIN_SECONDS);
    private Duration dispatchVisibilityTimeoutOverride;
    private int dispatchConcurrency = DEFAULT_DISPATCH_CONCURRENCY;
    private List<LocalFunction> functions = new ArrayList<>();
    private boolean requireSignature;
    private LocalLambdaEndpoint.EventInterceptor pushInterceptor =
        (name, payload) -> LocalLambdaEndpoint.EventInterceptor.Fate.ACCEPT;
    private List<Duration> eventRetryDelays = LocalLambdaEndpoint.AWS_EVENT_RETRY_DELAYS;

    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder batchingWindow(Duration window) {
      this.batchingWindow = window;
      return this;
    }

    public Builder maximumConcurrency(int concurrency) {
      this.maximumConcurrency = concurrency;
      return this;
    }

    public Builder hubTimeout(Duration timeout) {
      this.hubTimeout = timeout;
      return this;
    }

    public Builder spokeTimeout(Duration timeout) {
      this.spokeTimeout = timeout;
      return this;
    }

    public Builder collectorTimeout(Duration timeout) {
      this.collectorTimeout = timeout;
      return this;
    }

    public Builder maxReceiveCount(int count) {
      this.maxReceiveCount = count;
      return this;
    }

    public Builder leaseGrace(Duration grace) {
      this.leaseGrace = grace;
      return this;
    }

    public Builder summaryLease(Duration lease) {
      this.summaryLease = lease;
      return this;
    }

    /** How often the scheduled sweep invokes the collector; zero turns it off. */
    public Builder sweepInterval(Duration interval) {
      this.sweepInterval = interval;
      return this;
    }

    public Builder stallMargin(Duration margin) {
      this.stallMargin = margin;
      return this;
    }

    /** Added to every function's AWS clients, e.g. to count requests or inject faults. */
    public Builder interceptor(ExecutionInterceptor interceptor) {
      this.interceptors.add(interceptor);
      return this;
    }

    public Builder pollerInterceptor(SqsEventSourcePoller.InvocationInterceptor interceptor) {
      this.pollerInterceptor = interceptor;
      return this;
    }

    public Builder busInterceptor(LocalEventBus.DeliveryInterceptor interceptor) {
      this.busInterceptor = interceptor;
      return this;
    }

    public Builder functionLogs(Consumer<String> sink) {
      this.functionLogs = sink;
      return this;
    }

    /** Workers the spokes offer; tests add recording or misbehaving ones. */
    public Builder workers(WorkerRegistry workers) {
      this.workers = workers;
      return this;
    }

    /**
     * A visibility timeout other than the stack's 6 × spoke timeout, e.g. shorter than the work to
     * provoke redeliveries.
     */
    public Builder visibilityTimeout(Duration timeout) {
      this.visibilityTimeoutOverride = timeout;
      return this;
    }

    /**
     * Wraps the spoke handler where the Lambda runtime would call it, e.g. to make an invocation
     * throw or return a malformed batch response after the real handler ran.
     */
    public Builder spokeWrapper(UnaryOperator<RequestHandler<SQSEvent, SQSBatchResponse>> wrapper) {
      this.spokeWrapper = wrapper;
      return this;
    }

    /**
     * Added to the SQS client of the event source mapping (the poller), whose ReceiveMessage and
     * DeleteMessageBatch requests Lambda makes on the function's behalf and SQS bills: e.g. to
     * count them. The functions' own clients take {@link #interceptor}.
     */
    public Builder eventSourceInterceptor(ExecutionInterceptor interceptor) {
      this.eventSourceInterceptors.add(interceptor);
      return this;
    }

    /** How long a chunk's dispatch lease outlasts its dispatcher's deadline (default 30 s). */
    public Builder dispatchLeaseMargin(Duration margin) {
      this.dispatchLeaseMargin = margin;
      return this;
    }

    /** The dispatch queue's visibility timeout, instead of 6 × the hub's timeout. */
    public Builder dispatchVisibilityTimeout(Duration timeout) {
      this.dispatchVisibilityTimeoutOverride = timeout;
      return this;
    }

    /** Concurrent hub invocations from the dispatch queue (the mapping's maximum concurrency). */
    public Builder dispatchConcurrency(int concurrency) {
      this.dispatchConcurrency = concurrency;
      return this;
    }

    /**
     * A function the local Lambda Invoke endpoint hosts, which the {@code lambda} worker may invoke
     * ({@code HUBSPOKE_WORKER_FUNCTIONS} lists every local function).
     */
    public Builder function(LocalFunction function) {
      this.functions.add(function);
      return this;
    }

    /**
     * Makes the HTTP API refuse (403) a request without a well-formed SigV4 signature, as the
     * stack's IAM-authorized API does; the secret it was made with cannot be checked locally. Off
     * by default, so plain {@code curl} works.
     */
    public Builder requireSignature(boolean requireSignature) {
      this.requireSignature = requireSignature;
      return this;
    }

    /**
     * Decides what becomes of each asynchronous invocation of the local Lambda endpoint (the hub's
     * pushes to the spoke among them): e.g. drop some, as lost invocations.
     */
    public Builder pushInterceptor(LocalLambdaEndpoint.EventInterceptor interceptor) {
      this.pushInterceptor = interceptor;
      return this;
    }

    /**
     * The waits before the local Lambda endpoint retries an asynchronous invocation that failed
     * (Lambda's: about 1 and 2 minutes); tests shorten them.
     */
    public Builder eventRetryDelays(List<Duration> delays) {
      this.eventRetryDelays = List.copyOf(delays);
      return this;
    }

    public LocalOptions build() {
      return new LocalOptions(
          httpPort,
          batchSize,
          batchingWindow,
          maximumConcurrency,
          hubTimeout,
          spokeTimeout,
          collectorTimeout,
          maxReceiveCount,
          leaseGrace,
          summaryLease,
          sweepInterval,
          stallMargin,
          List.copyOf(interceptors),
          pollerInterceptor,
          busInterceptor,
          functionLogs,
          workers,
          visibilityTimeoutOverride,
          spokeWrapper,
          List.copyOf(eventSourceInterceptors),
          dispatchLeaseMargin,
          dispatchVisibilityTimeoutOverride,
          dispatchConcurrency,
          List.copyOf(functions),
          requireSignature,
          pushInterceptor,
          eventRetryDelays);
    }
  }
}
