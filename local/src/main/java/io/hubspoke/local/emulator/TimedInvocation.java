package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One invocation of the function as Lambda runs it: in an execution environment of its own (an idle
 * one reused, else a new one made, a cold start), with a {@link LocalLambdaContext} counting down
 * from the function timeout, and a watchdog that interrupts the handler when the timeout passes,
 * which fails the invocation with Lambda's "Task timed out after" message. Since a Java thread
 * cannot be killed, a handler that ignores the interrupt runs on until it returns (on AWS the
 * execution environment would be stopped). Each invocation's duration is billed rounded up to the
 * millisecond.
 */
final class TimedInvocation implements AutoCloseable {
  /**
   * How an invocation ended: the handler's response, or why it failed ({@code failure} is null on
   * success), whether the watchdog stopped it, and the milliseconds Lambda would bill.
   */
  record Result(SQSBatchResponse response, String failure, boolean timedOut, long billedMillis) {}

  private final SqsEventSourceConfig config;
  private final Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment;
  private final Deque<RequestHandler<SQSEvent, SQSBatchResponse>> idleEnvironments =
      new ConcurrentLinkedDeque<>();
  private final ScheduledExecutorService watchdog;

  TimedInvocation(
      SqsEventSourceConfig config,
      Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> newEnvironment) {
    this.config = config;
    this.newEnvironment = newEnvironment;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            new DaemonThreads(config.functionName() + "-timeout"));
  }

  /** Runs the handler with {@code event} on the calling thread, under the function timeout. */
  Result invoke(SQSEvent event) {
    LocalLambdaContext context =
        LocalLambdaContext.builder()
            .functionName(config.functionName())
            .region(config.region())
            .timeout(config.functionTimeout())
            .clock(config.clock())
            .logSink(config.logSink())
            .build();
    Thread self = Thread.currentThread();
    Object guard = new Object();
    boolean[] state = new boolean[2]; // [0] finished, [1] timed out; guarded by guard
    ScheduledFuture<?> alarm =
        watchdog.schedule(
            () -> {
              synchronized (guard) {
                if (!state[0]) {
                  state[1] = true;
                  self.interrupt();
                }
              }
            },
            config.functionTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    SQSBatchResponse response = null;
    Throwable error = null;
    long billedMillis;
    RequestHandler<SQSEvent, SQSBatchResponse> environment = idleEnvironments.pollFirst();
    long started = System.nanoTime();
    try {
      if (environment == null) {
        environment = newEnvironment.get();
      }
      response = environment.handleRequest(event, context);
    } catch (Throwable t) {
      error = t;
    } finally {
      if (environment != null) {
        idleEnvironments.offerFirst(environment);
      }
      // Lambda bills each invocation's duration rounded up to the millisecond.
      billedMillis = (System.nanoTime() - started + 999_999) / 1_000_000;
      alarm.cancel(false);
      synchronized (guard) {
        state[0] = true;
      }
      Thread.interrupted(); // never leak the alarm's interrupt into the next invocation
    }
    boolean timedOut;
    synchronized (guard) {
      timedOut = state[1];
    }
    if (timedOut) {
      return new Result(
          null,
          "Task timed out after " + config.functionTimeout().toMillis() / 1000.0 + " seconds",
          true,
          billedMillis);
    }
    if (error != null) {
      config.logSink().accept("[" + config.functionName() + "] invocation failed: " + error);
      return new Result(null, "function error: " + error, false, billedMillis);
    }
    return new Result(response, null, false, billedMillis);
  }

  /** Stops the watchdog; an invocation still running is no longer timed. */
  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
